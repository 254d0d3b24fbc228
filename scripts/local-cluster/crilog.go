package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Container logs use the CRI format a kubelet reads: one line per write,
// `<RFC 3339 time> <stdout|stderr> <F|P> <text>`, F ending a line and P a partial one.

// printCRILog prints a log file's text (the last tail lines, all when tail < 0) and,
// when following, what is appended later. A container that never logged prints nothing.
func printCRILog(path string, tail int64, follow bool) int {
	f, err := os.Open(path)
	if err != nil && !follow {
		return 0
	}
	var lines []string
	var offset int64
	if err == nil {
		lines, offset = readCRILines(f)
		f.Close()
	}
	if tail >= 0 && int64(len(lines)) > tail {
		lines = lines[int64(len(lines))-tail:]
	}
	for _, line := range lines {
		fmt.Print(line)
	}
	for follow {
		time.Sleep(300 * time.Millisecond)
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		if _, err := f.Seek(offset, io.SeekStart); err == nil {
			var more []string
			var read int64
			more, read = readCRILines(f)
			offset += read
			for _, line := range more {
				fmt.Print(line)
			}
		}
		f.Close()
	}
	return 0
}

// readCRILines returns each log line's text (with its newline unless partial) and the bytes read.
func readCRILines(r io.Reader) ([]string, int64) {
	var lines []string
	var read int64
	reader := bufio.NewReader(r)
	for {
		raw, err := reader.ReadString('\n')
		if err != nil {
			return lines, read // an unfinished last line is read again next time
		}
		read += int64(len(raw))
		fields := strings.SplitN(strings.TrimSuffix(raw, "\n"), " ", 4)
		if len(fields) < 3 {
			continue
		}
		text := ""
		if len(fields) == 4 {
			text = fields[3]
		}
		if fields[2] != "P" {
			text += "\n"
		}
		lines = append(lines, text)
	}
}
