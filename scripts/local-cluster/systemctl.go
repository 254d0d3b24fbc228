package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The node's services are state, not processes: /var/lib/kubedrill/services/<unit>.active
// holds "active" or "inactive" (since its modification time) and <unit>.enabled holds
// "enabled" or "disabled"; a missing file means active / enabled, as on a fresh node.
// systemctl changes them and writes the journal; checks read them as files; whoever
// simulates the kubelet reads kubelet.active (and, at boot, kubelet.enabled).
const servicesDir = "/var/lib/kubedrill/services"

type unit struct {
	name, description, fragment, docs, command string
	dropIn                                     []string
	pid                                        int
}

var services = map[string]unit{
	"kubelet": {
		name:        "kubelet",
		description: "kubelet: The Kubernetes Node Agent",
		fragment:    "/usr/lib/systemd/system/kubelet.service",
		dropIn:      []string{"/usr/lib/systemd/system/kubelet.service.d", "10-kubeadm.conf"},
		docs:        "https://kubernetes.io/docs/",
		command:     "/usr/bin/kubelet --bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf --config=/var/lib/kubelet/config.yaml --container-runtime-endpoint=unix:///run/containerd/containerd.sock",
		pid:         715,
	},
	"containerd": {
		name:        "containerd",
		description: "containerd container runtime",
		fragment:    "/usr/lib/systemd/system/containerd.service",
		docs:        "https://containerd.io",
		command:     "/usr/bin/containerd",
		pid:         112,
	},
}

func serviceFile(name, kind string) string {
	return onNode(filepath.Join(servicesDir, name+"."+kind))
}

// serviceState reads one of the unit's two state files, with its default and modification time.
func serviceState(name, kind, fallback string) (string, time.Time) {
	file := serviceFile(name, kind)
	content, err := os.ReadFile(file)
	if err != nil {
		since := time.Now()
		if info, err := os.Stat(onNode("/var/lib/kubelet")); err == nil {
			since = info.ModTime()
		}
		return fallback, since
	}
	info, _ := os.Stat(file)
	return strings.TrimSpace(string(content)), info.ModTime()
}

func setServiceState(name, kind, value string) error {
	if err := os.MkdirAll(onNode(servicesDir), 0o755); err != nil {
		return err
	}
	return os.WriteFile(serviceFile(name, kind), []byte(value+"\n"), 0o644)
}

// runSystemctl implements the verbs a CKA candidate uses on kubelet and containerd,
// with systemd's exit codes: 3 for an inactive unit, 4 or 5 for an unknown one.
func runSystemctl() int {
	var verb string
	var names []string
	now, quiet := false, false
	for _, arg := range os.Args[1:] {
		switch {
		case arg == "--now":
			now = true
		case arg == "-q" || arg == "--quiet":
			quiet = true
		case strings.HasPrefix(arg, "-"): // --no-pager, -l, --full: nothing to change here
		case verb == "":
			verb = arg
		default:
			names = append(names, strings.TrimSuffix(arg, ".service"))
		}
	}
	if verb == "daemon-reload" {
		return 0
	}
	if verb == "" || len(names) == 0 {
		fmt.Fprintln(os.Stderr, "usage: systemctl status|start|stop|restart|enable|disable|is-active|is-enabled|daemon-reload UNIT (this node has kubelet and containerd)")
		return 1
	}
	code := 0
	for _, name := range names {
		u, known := services[name]
		if !known {
			code = max(code, unknownUnit(verb, name))
			continue
		}
		if c := systemctlVerb(verb, u, now, quiet); c != 0 {
			code = max(code, c)
		}
	}
	return code
}

func unknownUnit(verb, name string) int {
	switch verb {
	case "status":
		fmt.Fprintf(os.Stderr, "Unit %s.service could not be found.\n", name)
		return 4
	case "is-active":
		fmt.Println("inactive")
		return 3
	case "is-enabled":
		fmt.Fprintf(os.Stderr, "Failed to get unit file state for %s.service: No such file or directory\n", name)
		return 1
	default:
		fmt.Fprintf(os.Stderr, "Failed to %s %s.service: Unit %s.service not found.\n", verb, name, name)
		return 5
	}
}

func systemctlVerb(verb string, u unit, now, quiet bool) int {
	say := func(s string) {
		if !quiet {
			fmt.Println(s)
		}
	}
	active, _ := serviceState(u.name, "active", "active")
	enabled, _ := serviceState(u.name, "enabled", "enabled")
	var err error
	switch verb {
	case "status":
		printStatus(u)
		if active != "active" {
			return 3
		}
	case "is-active":
		say(active)
		if active != "active" {
			return 3
		}
	case "is-enabled":
		say(enabled)
		if enabled != "enabled" {
			return 1
		}
	case "start":
		err = start(u, active)
	case "stop":
		err = stop(u, active)
	case "restart":
		if err = stop(u, active); err == nil {
			err = start(u, "inactive")
		}
	case "enable":
		link := "/etc/systemd/system/multi-user.target.wants/" + u.name + ".service"
		if enabled != "enabled" && !quiet {
			fmt.Fprintf(os.Stderr, "Created symlink %s → %s.\n", link, u.fragment)
		}
		if err = setServiceState(u.name, "enabled", "enabled"); err == nil && now {
			err = start(u, active)
		}
	case "disable":
		link := "/etc/systemd/system/multi-user.target.wants/" + u.name + ".service"
		if enabled == "enabled" && !quiet {
			fmt.Fprintf(os.Stderr, "Removed \"%s\".\n", link)
		}
		if err = setServiceState(u.name, "enabled", "disabled"); err == nil && now {
			err = stop(u, active)
		}
	default:
		fmt.Fprintf(os.Stderr, "Unknown command verb '%s'.\n", verb)
		return 1
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "Failed to %s %s.service: %v\n", verb, u.name, err)
		return 1
	}
	return 0
}

func start(u unit, active string) error {
	if active == "active" {
		return nil
	}
	if err := setServiceState(u.name, "active", "active"); err != nil {
		return err
	}
	return appendJournal(u.name, "systemd[1]", fmt.Sprintf("Started %s.service - %s.", u.name, u.description))
}

func stop(u unit, active string) error {
	if active != "active" {
		return nil
	}
	if err := setServiceState(u.name, "active", "inactive"); err != nil {
		return err
	}
	return appendJournal(u.name, "systemd[1]",
		fmt.Sprintf("Stopping %s.service - %s...", u.name, u.description),
		fmt.Sprintf("%s.service: Deactivated successfully.", u.name),
		fmt.Sprintf("Stopped %s.service - %s.", u.name, u.description))
}

// printStatus prints `systemctl status` as systemd 252 (kind's Debian nodes) does.
func printStatus(u unit) {
	active, since := serviceState(u.name, "active", "active")
	enabled, _ := serviceState(u.name, "enabled", "enabled")
	dot, state := "●", "active (running)"
	if active != "active" {
		dot, state = "○", "inactive (dead)"
	}
	fmt.Printf("%s %s.service - %s\n", dot, u.name, u.description)
	fmt.Printf("     Loaded: loaded (%s; %s; preset: enabled)\n", u.fragment, enabled)
	if len(u.dropIn) == 2 {
		fmt.Printf("    Drop-In: %s\n             └─%s\n", u.dropIn[0], u.dropIn[1])
	}
	fmt.Printf("     Active: %s since %s; %s\n", state, since.Local().Format("Mon 2006-01-02 15:04:05 MST"), ago(time.Since(since)))
	fmt.Printf("       Docs: %s\n", u.docs)
	if active == "active" {
		fmt.Printf("   Main PID: %d (%s)\n", u.pid, u.name)
		fmt.Printf("     CGroup: /system.slice/%s.service\n", u.name)
		fmt.Printf("             └─%d %s\n", u.pid, u.command)
	}
	entries := readJournal([]string{u.name})
	if len(entries) > 10 {
		entries = entries[len(entries)-10:]
	}
	if len(entries) > 0 {
		fmt.Println()
	}
	for _, entry := range entries {
		fmt.Println(entry)
	}
}

// ago says a duration as systemd does: "3s ago", "5min 3s ago", "2h 5min ago", "3 days ago".
func ago(d time.Duration) string {
	switch s := int(d.Seconds()); {
	case s < 60:
		return fmt.Sprintf("%ds ago", s)
	case s < 3600:
		return fmt.Sprintf("%dmin %ds ago", s/60, s%60)
	case s < 86400:
		return fmt.Sprintf("%dh %dmin ago", s/3600, s%3600/60)
	default:
		return fmt.Sprintf("%d days ago", s/86400)
	}
}
