package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// helpExamples returns every "roibot …" command line shown in the --help
// of c and its subcommands (Example and Long), comments after # removed.
func helpExamples(c *cobra.Command) map[string][]string {
	out := map[string][]string{}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for _, text := range []string{c.Example, c.Long} {
			for _, l := range strings.Split(text, "\n") {
				l = strings.TrimPrefix(strings.TrimSpace(l), "$ ")
				if !strings.HasPrefix(l, "roibot ") {
					continue
				}
				if i := strings.Index(l, " #"); i >= 0 {
					l = strings.TrimSpace(l[:i])
				}
				out[c.CommandPath()] = append(out[c.CommandPath()], l)
			}
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(c)
	return out
}

// TestHelpExamples checks every example in --help against the command
// tree without running it (most need a loaded database, Slack or an LLM):
// the command exists, its flags parse, its positional arguments and
// required flags are valid, and every data/ file it names is in the
// repository. Running them end to end is `make demo`'s job.
func TestHelpExamples(t *testing.T) {
	examples := helpExamples(newRootCmd(map[string]string{}))
	n := 0
	for path, lines := range examples {
		for _, line := range lines {
			n++
			args := strings.Fields(line)[1:]
			root := newRootCmd(map[string]string{})
			c, rest, err := root.Find(args)
			if err != nil || c == root {
				t.Errorf("%s --help example %q: no such command (%v)", path, line, err)
				continue
			}
			if err := c.ParseFlags(rest); err != nil {
				t.Errorf("%s --help example %q: %v", path, line, err)
				continue
			}
			if err := c.ValidateArgs(c.Flags().Args()); err != nil {
				t.Errorf("%s --help example %q: %v", path, line, err)
			}
			if err := c.ValidateRequiredFlags(); err != nil {
				t.Errorf("%s --help example %q: %v", path, line, err)
			}
			for _, a := range args {
				if strings.HasPrefix(a, "data/") {
					if _, err := os.Stat(filepath.Join("..", "..", a)); err != nil {
						t.Errorf("%s --help example %q: %v", path, line, err)
					}
				}
			}
		}
	}
	if n < 6 {
		t.Errorf("found %d --help examples; want at least the 6 of model, report and serve", n)
	}
	t.Logf("%d --help examples checked", n)
}
