package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// The node's journal is one text file per unit, /var/lib/kubedrill/journal/<unit>.log in
// the node, appended by systemctl and by whatever simulates the unit (the kubelet).
// Each line is `<RFC 3339 UTC time> <identifier>[<pid>]: <message>`, for example
//
//	2026-11-24T09:01:13.123456Z systemd[1]: Stopped kubelet.service - kubelet: The Kubernetes Node Agent.
//
// and journalctl shows it as systemd's short format does, with the node's hostname.
const journalDir = "/var/lib/kubedrill/journal"

// onNode is a node path as this process sees it: itself inside the node's namespace,
// under KUBEDRILL_NODE_ROOT in the folder-shell fallback.
func onNode(path string) string {
	return filepath.Join(os.Getenv("KUBEDRILL_NODE_ROOT"), path)
}

func nodeName() string {
	if name := os.Getenv("KUBEDRILL_NODE_NAME"); name != "" {
		return name
	}
	name, _ := os.Hostname()
	return name
}

func journalFile(unit string) string {
	return onNode(filepath.Join(journalDir, unit+".log"))
}

// appendJournal adds lines to a unit's journal; one write per call keeps concurrent writers' lines whole.
func appendJournal(unit, identifier string, messages ...string) error {
	if err := os.MkdirAll(onNode(journalDir), 0o755); err != nil {
		return err
	}
	var text strings.Builder
	for _, message := range messages {
		fmt.Fprintf(&text, "%s %s: %s\n", time.Now().UTC().Format(time.RFC3339Nano), identifier, message)
	}
	f, err := os.OpenFile(journalFile(unit), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteString(text.String())
	return err
}

type journalEntry struct {
	at   time.Time
	text string // identifier[pid]: message
}

// readJournal returns the units' entries in time order; a missing journal is empty.
func readJournal(units []string) []journalEntry {
	var entries []journalEntry
	for _, unit := range units {
		f, err := os.Open(journalFile(unit))
		if err != nil {
			continue
		}
		scanner := bufio.NewScanner(f)
		scanner.Buffer(make([]byte, 0, 64*1024), 1024*1024)
		for scanner.Scan() {
			if entry, ok := parseJournalLine(scanner.Text()); ok {
				entries = append(entries, entry)
			}
		}
		f.Close()
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].at.Before(entries[j].at) })
	return entries
}

func parseJournalLine(line string) (journalEntry, bool) {
	stamp, text, ok := strings.Cut(line, " ")
	at, err := time.Parse(time.RFC3339Nano, stamp)
	if !ok || err != nil {
		return journalEntry{}, false
	}
	return journalEntry{at: at, text: text}, true
}

func (e journalEntry) String() string {
	return fmt.Sprintf("%s %s %s", e.at.Local().Format("Jan 02 15:04:05"), nodeName(), e.text)
}

// journalUnits are the units journalctl shows without -u.
func journalUnits() []string {
	files, _ := filepath.Glob(journalFile("*"))
	units := make([]string, 0, len(files))
	for _, file := range files {
		units = append(units, strings.TrimSuffix(filepath.Base(file), ".log"))
	}
	return units
}

// runJournalctl answers the options learners use: -u UNIT, -n N, -f, -e, --no-pager.
func runJournalctl() int {
	flags := pflag.NewFlagSet("journalctl", pflag.ContinueOnError)
	units := flags.StringArrayP("unit", "u", nil, "show the journal of this unit")
	lines := flags.StringP("lines", "n", "", "show the last N entries (all by default)")
	follow := flags.BoolP("follow", "f", false, "keep printing new entries")
	end := flags.BoolP("pager-end", "e", false, "jump to the end (the last 1000 entries)")
	flags.Bool("no-pager", false, "no pager (there is none)")
	flags.BoolP("catalog", "x", false, "explanations (none are kept)")
	flags.BoolP("quiet", "q", false, "no informational messages")
	flags.Bool("no-hostname", false, "")
	if err := flags.Parse(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	names := make([]string, 0, len(*units))
	for _, unit := range *units {
		names = append(names, strings.TrimSuffix(unit, ".service"))
	}
	if len(names) == 0 {
		names = journalUnits()
	}
	entries := readJournal(names)
	limit := -1
	switch {
	case *lines == "all":
	case *lines != "":
		n, err := strconv.Atoi(*lines)
		if err != nil || n < 0 {
			fmt.Fprintf(os.Stderr, "Failed to parse lines '%s'\n", *lines)
			return 1
		}
		limit = n
	case *follow:
		limit = 10
	case *end:
		limit = 1000
	}
	if limit >= 0 && len(entries) > limit {
		entries = entries[len(entries)-limit:]
	}
	if len(entries) == 0 && !*follow {
		fmt.Println("-- No entries --")
	}
	for _, entry := range entries {
		fmt.Println(entry)
	}
	if !*follow {
		return 0
	}
	last := time.Time{}
	if len(entries) > 0 {
		last = entries[len(entries)-1].at
	}
	// Polling is enough for a practice node; Ctrl-C ends it as it ends journalctl -f.
	for {
		time.Sleep(300 * time.Millisecond)
		for _, entry := range readJournal(names) {
			if entry.at.After(last) {
				fmt.Println(entry)
				last = entry.at
			}
		}
	}
}
