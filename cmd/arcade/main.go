// Command arcade does from a terminal everything the notebooks do: it reports
// the set-up, installs the Jupyter kernel, and trains, samples, plays and
// exports the models, for people who train headless.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
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

// usageError is a mistake in the command line (a bad flag value, a missing
// or stray argument): main prints it, points to the command's -h and exits
// with status 2, before any work was done.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usagef returns a *usageError.
func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// errFlags reports a flag the flag package rejected; it has already printed
// the problem and the command's flags.
var errFlags = errors.New("bad flags")

// errInterrupted ends a run that Ctrl-C (SIGINT) or SIGTERM stopped after it
// saved: main exits with status 130, as shells do for SIGINT.
var errInterrupted = errors.New("interrupted; the run is saved and the same command resumes it")

func main() {
	args := os.Args[1:]
	if len(args) == 0 {
		usage(os.Stderr)
		os.Exit(2)
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(os.Stdout)
		return
	}
	cmd, rest, ok := lookup(args)
	if !ok {
		fmt.Fprintf(os.Stderr, "arcade: %s\n\n", unknown(args))
		usage(os.Stderr)
		os.Exit(2)
	}
	os.Exit(report(cmd.name, cmd.run(rest), os.Stderr))
}

// report prints a command's error (if any) on w and returns the exit status:
// 0 on success and for -h, 2 for a usage mistake, 130 for an interrupted
// run, 1 for any other error.
func report(name string, err error, w io.Writer) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errFlags):
		return 2
	case errors.As(err, &ue):
		fmt.Fprintf(w, "arcade %s: %v\nRun 'arcade %s -h' for its flags.\n", name, err, name)
		return 2
	case errors.Is(err, errInterrupted):
		fmt.Fprintf(w, "arcade %s: %v\n", name, err)
		return 130
	}
	fmt.Fprintf(w, "arcade %s: %v\n", name, err)
	return 1
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

// unknown says what is wrong with a command line lookup did not match,
// naming the word: `unknown command "bogus"`, or for a known first word,
// `unknown command "train foo" (train takes: dqn, gan)`.
func unknown(args []string) string {
	var seconds []string
	for n := range commands {
		if first, second, ok := strings.Cut(n, " "); ok && first == args[0] {
			seconds = append(seconds, second)
		}
	}
	sort.Strings(seconds)
	switch {
	case len(seconds) == 0:
		return fmt.Sprintf("unknown command %q", args[0])
	case len(args) == 1:
		return fmt.Sprintf("%q needs one of: %s", args[0], strings.Join(seconds, ", "))
	}
	return fmt.Sprintf("unknown command %q (%s takes: %s)", args[0]+" "+args[1], args[0], strings.Join(seconds, ", "))
}

func usage(w io.Writer) {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "usage: arcade <command> [flags]\n\ncommands:")
	for _, n := range names {
		fmt.Fprintf(w, "  %-16s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'arcade <command> -h' for a command's flags.")
}

// parse parses args into fs and refuses stray positional arguments. A flag
// the flag package rejects gives errFlags (it has printed the reason).
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errFlags
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (this command takes flags only)", fs.Arg(0))
	}
	return nil
}

// flagErrors collects flag mistakes, each naming its flag, so that a
// command reports all of them at once and before any work.
type flagErrors []string

// check records the message when ok is false.
func (f *flagErrors) check(ok bool, format string, args ...any) {
	if !ok {
		*f = append(*f, fmt.Sprintf(format, args...))
	}
}

// err is nil without mistakes, else a *usageError listing them.
func (f flagErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return &usageError{strings.Join(f, "; ")}
}
