// Package podoutput decides what a container prints, from its spec alone: the local
// cluster runs no containers, but `kubectl logs` should show what a real one would.
package podoutput

import (
	"path/filepath"
	"regexp"
	"strings"

	"github.com/google/shlex"
	corev1 "k8s.io/api/core/v1"
)

// What well-known images print when they start with their own command.
var imageBanners = []struct {
	repository *regexp.Regexp
	lines      []string
}{
	{regexp.MustCompile(`(^|/)nginx(:|@|$)`), []string{
		"/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
		"/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
		"/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
		"/docker-entrypoint.sh: Configuration complete; ready for start up",
		"2025/01/01 00:00:00 [notice] 1#1: using the \"epoll\" event method",
		"2025/01/01 00:00:00 [notice] 1#1: start worker processes",
	}},
	{regexp.MustCompile(`(^|/)redis(:|@|$)`), []string{
		"1:C 01 Jan 2025 00:00:00.000 * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo",
		"1:M 01 Jan 2025 00:00:00.000 * Server initialized",
		"1:M 01 Jan 2025 00:00:00.000 * Ready to accept connections tcp",
	}},
	{regexp.MustCompile(`(^|/)coredns/coredns(:|@|$)`), []string{
		".:53",
		"[INFO] plugin/reload: Running configuration SHA512 = 1b226df79860026c6a52e67daa10d7f0d57ec5b023288ec00c5e05f93523c894564e15b91770d3a07ae1cfbe861d15b37d4a0027e69c546ab112970993a3b03b",
		"CoreDNS-1.12.0",
		"linux/amd64, go1.23.3, 51e11f1",
	}},
	{regexp.MustCompile(`(^|/)httpd(:|@|$)`), []string{
		"AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using 10.244.0.2. Set the 'ServerName' directive globally to suppress this message",
		"[mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.62 (Unix) configured -- resuming normal operations",
	}},
}

// Simulated is what a container prints, decided from its spec without running
// it: the lines its command echoes or printfs (in a shell script too, in order, without
// expanding variables), or, with the image's own command, the image's start banner.
func Simulated(c corev1.Container) []string {
	argv := append(append([]string{}, c.Command...), c.Args...)
	// The image's own entrypoint runs (args only configure it): its start banner.
	if len(c.Command) == 0 {
		for _, banner := range imageBanners {
			if banner.repository.MatchString(c.Image) {
				return banner.lines
			}
		}
		// An image without an entrypoint runs its args as the command, as the pod's exit
		// code is decided too: kubectl run x --image=busybox -- sh -c 'echo …'.
		if len(c.Args) == 0 {
			return nil
		}
	}
	script := strings.Join(argv, " ")
	if len(argv) >= 3 && isShell(argv[0]) && argv[1] == "-c" {
		script = argv[2]
	}
	var lines []string
	for _, statement := range shellStatements.Split(script, -1) {
		words, err := shlex.Split(strings.TrimSpace(statement))
		if err != nil || len(words) == 0 {
			continue
		}
		switch filepath.Base(words[0]) {
		case "echo":
			args := words[1:]
			for len(args) > 0 && (args[0] == "-n" || args[0] == "-e") {
				args = args[1:]
			}
			lines = append(lines, strings.Split(strings.Join(args, " "), "\\n")...)
		case "printf":
			if len(words) > 1 {
				text := strings.TrimSuffix(printfLike(words[1], words[2:]), "\n")
				lines = append(lines, strings.Split(text, "\n")...)
			}
		}
	}
	return lines
}

func isShell(command string) bool {
	switch filepath.Base(command) {
	case "sh", "bash", "ash", "dash":
		return true
	}
	return false
}

// Statements of a shell script: split at ;, &&, ||, newlines and the loop keywords.
var shellStatements = regexp.MustCompile(`\s*(;|&&|\|\||\n|\bdo\b|\bthen\b|\belse\b)\s*`)

// printfLike fills %s and %d from the arguments and turns \n into newlines.
func printfLike(format string, args []string) string {
	out := strings.ReplaceAll(format, `\n`, "\n")
	for _, verb := range []string{"%s", "%d"} {
		for strings.Contains(out, verb) && len(args) > 0 {
			out = strings.Replace(out, verb, args[0], 1)
			args = args[1:]
		}
	}
	return out
}
