// Command arcade does from a terminal everything the notebooks do: it reports
// the set-up, installs the Jupyter kernel, and trains, samples, plays and
// exports the models, for people who train headless.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
)

// command is one subcommand, such as "info" or "train gan".
type command struct {
	name    string // words that select it, e.g. "train gan"
	summary string // one line for the usage text
	run     func(args []string) error
}

var commands = map[string]command{}

// register adds a subcommand; each file of this package registers its own in init.
func register(name, summary string, run func(args []string) error) {
	if _, dup := commands[name]; dup {
		panic("arcade: command registered twice: " + name)
	}
	commands[name] = command{name: name, summary: summary, run: run}
}

// errUsage asks main to print the usage text and exit with status 2.
var errUsage = errors.New("usage")

func main() {
	cmd, args, ok := lookup(os.Args[1:])
	if !ok {
		usage()
		os.Exit(2)
	}
	if err := cmd.run(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		if errors.Is(err, errUsage) {
			usage()
			os.Exit(2)
		}
		fmt.Fprintf(os.Stderr, "arcade %s: %v\n", cmd.name, err)
		os.Exit(1)
	}
}

// lookup finds the longest registered command name that prefixes args.
func lookup(args []string) (command, []string, bool) {
	for n := min(len(args), 3); n > 0; n-- {
		if c, ok := commands[strings.Join(args[:n], " ")]; ok {
			return c, args[n:], true
		}
	}
	return command{}, nil, false
}

func usage() {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(os.Stderr, "usage: arcade <command> [flags]\n\ncommands:")
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-16s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(os.Stderr, "\nRun 'arcade <command> -h' for a command's flags.")
}
