package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/roibot/roibot/agent"
	"github.com/roibot/roibot/report"
	"github.com/roibot/roibot/tools"
)

func newChatCmd(app *App) *cobra.Command {
	var role string
	cmd := &cobra.Command{
		Use:   "chat",
		Short: "Chat with the agent in the terminal (one conversation; empty line or Ctrl-D quits)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return app.chat(cmd.Context(), role)
		},
	}
	cmd.Flags().StringVar(&role, "role", "marketer", "marketer, analyst or customer")
	return cmd
}

func (a *App) chat(ctx context.Context, roleName string) error {
	role, err := agent.ParseRole(roleName)
	if err != nil {
		return err
	}
	svc, err := a.Agent(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.Stdout, "roibot chat — role %s, model %s. Ask a question; an empty line or Ctrl-D quits.\n", role, a.Config.Provider())
	if role == agent.RoleCustomer {
		// A customer is offered only what they can do here: give feedback.
		fmt.Fprintln(a.Stdout, `Tell us about an order or a product: for example "The dress I ordered (536365) was too small, 3 out of 5".`)
	} else {
		if a.Config.Provider() == agent.ProviderOffline {
			fmt.Fprintln(a.Stdout, "No LLM configured: the offline planner understands common questions in English and Chinese (set OPENAI_API_KEY or ROIBOT_LLM_PROVIDER for a real model).")
		}
		fmt.Fprintln(a.Stdout, `Try: "How many customers do we have?", "Who are our champions?", "What was the ROI by channel in Q4 2011?", "2011年第四季度德国的收入是多少？"`)
	}
	in := bufio.NewScanner(a.Stdin)
	var history []agent.Turn
	// Each chat session is its own conversation (dialogue state, e.g. a
	// customer's feedback in progress, is kept per conversation).
	conversation := newConversationID("terminal")
	for {
		fmt.Fprint(a.Stdout, "\n> ")
		if !in.Scan() {
			fmt.Fprintln(a.Stdout)
			return in.Err()
		}
		q := strings.TrimSpace(in.Text())
		if q == "" || q == "quit" || q == "exit" {
			return nil
		}
		tctx, cancel := context.WithTimeout(ctx, a.Config.TurnTimeout)
		ans, err := svc.Ask(tctx, agent.Question{Text: q, Role: role, ConversationID: conversation, History: history})
		cancel()
		if err != nil {
			fmt.Fprintln(a.Stdout, "error:", err)
			continue
		}
		printAnswer(a.Stdout, ans, a.Config.Provider() != agent.ProviderOffline, "")
		history = append(history, agent.Turn{Question: q, Answer: ans.Text, ToolCalls: ans.ToolCalls})
	}
}

func newAskCmd(app *App) *cobra.Command {
	var role, conversation string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "ask QUESTION",
		Short: "Ask one question and print the answer",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := agent.ParseRole(role)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			svc, err := app.Agent(ctx)
			if err != nil {
				return err
			}
			tctx, cancel := context.WithTimeout(ctx, app.Config.TurnTimeout)
			defer cancel()
			// A named conversation keeps its turns in the database, so a
			// follow-up ("and for France?") continues the earlier question.
			var memory turnStore
			var history []agent.Turn
			if conversation == "" {
				conversation = newConversationID("cli")
			} else {
				s, err := app.migratedStore(ctx)
				if err != nil {
					return err
				}
				memory = turnStore{s}
				if history, err = memory.LoadTurns(tctx, conversation, 10); err != nil {
					return err
				}
			}
			q := strings.Join(args, " ")
			ans, err := svc.Ask(tctx, agent.Question{Text: q, Role: r, ConversationID: conversation, History: history})
			if err != nil {
				return err
			}
			if memory.s != nil {
				if err := memory.AppendTurn(tctx, conversation, agent.Turn{Question: q, Answer: ans.Text, ToolCalls: ans.ToolCalls}); err != nil {
					return err
				}
			}
			if asJSON {
				printJSON(app.Stdout, struct {
					Answer    string           `json:"answer"`
					ToolCalls []agent.ToolCall `json:"tool_calls"`
				}{ans.Text, ans.ToolCalls})
				return nil
			}
			printAnswer(app.Stdout, ans, app.Config.Provider() != agent.ProviderOffline, "")
			return nil
		},
	}
	cmd.Flags().StringVar(&role, "role", "marketer", "marketer, analyst or customer")
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"answer", "tool_calls": [{"name", "arguments", "result" or "error"}]}`)
	cmd.Flags().StringVar(&conversation, "conversation", "", "continue this conversation id: earlier questions and answers of it are kept in the database, so follow-ups (\"and for France?\") and a customer's feedback dialogue continue across calls; default: a new one")
	return cmd
}

func newToolsCmd(app *App) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "tools",
		Short: "List the tool catalog (names, roles, descriptions, JSON schemas)",
		Args:  cobra.NoArgs,
		// The catalog needs no database.
		RunE: func(cmd *cobra.Command, _ []string) error {
			type entry struct {
				Name        string         `json:"name"`
				Roles       []string       `json:"roles"`
				Description string         `json:"description"`
				Parameters  map[string]any `json:"parameters"`
			}
			var out []entry
			for _, e := range tools.Catalog(tools.Config{}) {
				out = append(out, entry{e.Tool.Name(), e.Roles, e.Tool.Description(), e.Tool.Parameters()})
			}
			if asJSON {
				printJSON(app.Stdout, out)
				return nil
			}
			for _, e := range out {
				fmt.Fprintf(app.Stdout, "%s (%s)\n  %s\n\n", e.Name, strings.Join(e.Roles, ", "), e.Description)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// printToolJSON prints a typed core's result as the tool returns it to the
// model (json.Marshal, HTML characters escaped), indented.
func printToolJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	printJSON(w, json.RawMessage(b))
	return nil
}

// printAnswer writes the answer text for a terminal (Markdown bold
// markers dropped) and, when withTables, its tables as aligned text. The
// offline planner already lists the tables' rows in its text, so callers
// pass withTables only for LLM answers.
//
// A table longer than the rows shown (the offline planner lists 10, the
// tables printed here 25) is written whole to a CSV file in dir (the
// system's temporary directory when empty), and its path is printed.
func printAnswer(w io.Writer, ans agent.Answer, withTables bool, dir string) {
	fmt.Fprintln(w, strings.ReplaceAll(ans.Text, "**", ""))
	shown := inlineRowsOffline
	if withTables {
		shown = inlineRowsTables
		for _, t := range ans.Tables {
			fmt.Fprintln(w)
			writeTable(w, t, inlineRowsTables)
		}
	}
	for _, t := range ans.Tables {
		if len(t.Rows) <= shown {
			continue
		}
		path, err := writeTableCSV(dir, t)
		if err != nil {
			fmt.Fprintln(w, "(could not write the whole table to a CSV file:", err.Error()+")")
			continue
		}
		fmt.Fprintf(w, "\nWhole table %q (%d rows): %s\n", t.Title, len(t.Rows), path)
	}
}

// Rows of a table shown in the terminal: the offline planner's answer
// lists 10, the tables printed for an LLM's answer 25.
const (
	inlineRowsOffline = 10
	inlineRowsTables  = 25
)

// writeTableCSV writes t as CSV (report.CSV) to a new file in dir and
// returns its path.
func writeTableCSV(dir string, t agent.Table) (string, error) {
	f, err := os.CreateTemp(dir, "roibot-table-*.csv")
	if err != nil {
		return "", err
	}
	if _, err := f.Write(report.CSV(t.Columns, t.Rows)); err != nil {
		f.Close()
		return "", err
	}
	return f.Name(), f.Close()
}

// writeTable prints at most maxRows rows of t, columns padded to width.
func writeTable(w io.Writer, t agent.Table, maxRows int) {
	if t.Title != "" {
		fmt.Fprintln(w, t.Title)
	}
	widths := make([]int, len(t.Columns))
	rows := t.Rows
	if len(rows) > maxRows {
		rows = rows[:maxRows]
	}
	for i, c := range t.Columns {
		widths[i] = utf8.RuneCountInString(c)
	}
	for _, r := range rows {
		for i, c := range r {
			if i < len(widths) && utf8.RuneCountInString(c) > widths[i] {
				widths[i] = utf8.RuneCountInString(c)
			}
		}
	}
	line := func(cells []string) {
		var b strings.Builder
		for i, c := range cells {
			if i >= len(widths) {
				break
			}
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(c)
			b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)))
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	line(t.Columns)
	seps := make([]string, len(widths))
	for i, n := range widths {
		seps[i] = strings.Repeat("-", n)
	}
	line(seps)
	for _, r := range rows {
		line(r)
	}
	if len(t.Rows) > maxRows {
		fmt.Fprintf(w, "(%d more rows)\n", len(t.Rows)-maxRows)
	}
}

// newConversationID returns a conversation id unique to this process and
// moment, e.g. "terminal-1764489600123456789".
func newConversationID(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano())
}
