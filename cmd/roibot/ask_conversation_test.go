package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/roibot/roibot/postgres/pgtest"
)

// TestAsk_ConversationFollowUp: `ask --conversation ID` keeps the turns, so
// a follow-up that names only a new country keeps the earlier period.
func TestAsk_ConversationFollowUp(t *testing.T) {
	env := map[string]string{"DATABASE_URL": pgtest.URL(t), "ROIBOT_DB_SCHEMA": pgtest.NewSchema(t), "ROIBOT_LLM_PROVIDER": "offline"}
	runRoibot(t, env, "import", "online-retail", "testdata/retail_small.csv")
	type out struct {
		ToolCalls []struct {
			Name      string          `json:"name"`
			Arguments json.RawMessage `json:"arguments"`
		} `json:"tool_calls"`
	}
	ask := func(q string) out {
		var o out
		if err := json.Unmarshal([]byte(runRoibot(t, env, "ask", "--json", "--conversation", "c1", q)), &o); err != nil {
			t.Fatal(err)
		}
		for i, c := range o.ToolCalls {
			var b bytes.Buffer
			_ = json.Compact(&b, c.Arguments)
			o.ToolCalls[i].Arguments = b.Bytes()
		}
		return o
	}
	first := ask("Total revenue in December 2010 in Finland")
	if len(first.ToolCalls) != 1 || !strings.Contains(string(first.ToolCalls[0].Arguments), `"country":"Finland"`) {
		t.Fatalf("first question's calls = %+v; want revenue_summary for Finland", first.ToolCalls)
	}
	second := ask("and for Iceland?")
	if len(second.ToolCalls) != 1 {
		t.Fatalf("follow-up calls = %+v; want one", second.ToolCalls)
	}
	args := string(second.ToolCalls[0].Arguments)
	if second.ToolCalls[0].Name != first.ToolCalls[0].Name || !strings.Contains(args, `"country":"Iceland"`) || !strings.Contains(args, `"period":"2010-12"`) {
		t.Errorf("follow-up = %s %s; want %s for Iceland keeping the period 2010-12", second.ToolCalls[0].Name, args, first.ToolCalls[0].Name)
	}
}
