package planner_test

import (
	"context"
	"fmt"
	"time"

	"github.com/roibot/roibot/agent"
	"github.com/roibot/roibot/agent/agenttest"
	"github.com/roibot/roibot/planner"
)

// ExampleService_Ask runs the offline Planner over one fake tool: the
// planner resolves "last quarter" against the data's as-of date, calls the
// tool, and answers from its JSON result.
func ExampleService_Ask() {
	revenue := &agenttest.Tool{
		NameV:   "revenue_summary",
		DescV:   "Revenue of a period.",
		ParamsV: agenttest.Schema("period", "country"),
		CallFn: func(_ context.Context, input string) (string, error) {
			fmt.Println("tool input:", input)
			return `{"definition":"revenue = sum of quantity × unit price, cancellations excluded",` +
				`"period":{"from":"2011-07-01","to":"2011-10-01","label":"2011-Q3"},"currency":"GBP","caveats":[],` +
				`"display":{"tables":[{"title":"Revenue","columns":["country","revenue","orders"],"rows":[["United Kingdom","1234567.89","4321"]]}]}}`, nil
		},
	}
	svc, err := agent.New(agent.Config{
		Model: planner.New(planner.Config{
			Vocabulary: planner.Vocabulary{Countries: []string{"United Kingdom", "France"}},
		}),
		Tools:  map[agent.Role][]agent.Tool{agent.RoleMarketer: {revenue}},
		AsOf:   func() time.Time { return time.Date(2011, 12, 9, 0, 0, 0, 0, time.UTC) },
		Logger: quietLogger(),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ans, err := svc.Ask(context.Background(), agent.Question{Text: "Revenue in the UK last quarter?", Role: agent.RoleMarketer})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ans.Text)
	// Output:
	// tool input: {"country":"United Kingdom","period":"2011-Q3"}
	// **Revenue**
	// - United Kingdom — revenue: 1234567.89; orders: 4321
	//
	// Period: 2011-Q3 (2011-07-01 to 2011-09-30; 'last quarter' relative to the data's last order date 2011-12-09).
	// Currency: GBP.
	// Definition: revenue = sum of quantity × unit price, cancellations excluded.
}
