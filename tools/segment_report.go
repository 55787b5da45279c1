package tools

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/knowledge"
)

// SegmentReportReader is what segment_report needs from storage.
type SegmentReportReader interface {
	SegmentReader
	PurchaseOrders(ctx context.Context, f analytics.OrderFilter) ([]analytics.Order, error)
	FeedbackThemes(ctx context.Context, customerIDs []string, limit int) ([]knowledge.ThemeCount, error)
}

// SegmentDefinition selects the members of a segment report. Every field
// is optional and the filters combine with AND; the population is the
// customers of Country with a purchase in [From, To].
//
//   - Segment: an RFM segment (champions, loyal, potential_loyalists, new,
//     promising, need_attention, about_to_sleep, at_risk, cant_lose_them,
//     hibernating, lost), scored as rfm_segments does among the population.
//   - Country: customer country as spelled in the data.
//   - Cluster: a cluster number of segment_customers run on the same
//     population with K clusters (K 0: chosen by silhouette) and Method
//     (kmeans or ward), seed SegmentSeed; the numbering is that tool's.
//   - CLVTier: top, mid or low third of the population by predicted CLV
//     (BG/NBD + Gamma-Gamma, 12 months), or by historical CLV when the
//     models cannot be fitted (the report says which).
//   - From, To: YYYY-MM-DD, both days included; only orders in the range
//     count and as-of is the day after To (default: all data, as of the
//     day after the last order).
//   - Sentiment: positive, neutral or negative: members whose mean
//     feedback sentiment has that label (VADER ±0.05); customers without
//     feedback never match.
type SegmentDefinition struct {
	Segment   string `json:"segment,omitempty"`
	Country   string `json:"country,omitempty"`
	Cluster   *int   `json:"cluster,omitempty"`
	K         int    `json:"k,omitempty"`
	Method    string `json:"method,omitempty"`
	CLVTier   string `json:"clv_tier,omitempty"`
	From      string `json:"from,omitempty"`
	To        string `json:"to,omitempty"`
	Sentiment string `json:"sentiment,omitempty"`
}

// String describes the definition in words, e.g. "champions in United
// Kingdom".
func (d SegmentDefinition) String() string {
	var parts []string
	if d.Segment != "" {
		parts = append(parts, d.Segment)
	}
	if d.Cluster != nil {
		k := "k chosen by silhouette"
		if d.K > 0 {
			k = "k = " + strconv.Itoa(d.K)
		}
		parts = append(parts, fmt.Sprintf("cluster %d (%s)", *d.Cluster, k))
	}
	if d.CLVTier != "" {
		parts = append(parts, d.CLVTier+" CLV tier")
	}
	if d.Sentiment != "" {
		parts = append(parts, d.Sentiment+" feedback")
	}
	if len(parts) == 0 {
		parts = append(parts, "all customers")
	}
	s := strings.Join(parts, ", ")
	if d.Country != "" {
		s += " in " + d.Country
	}
	if d.From != "" || d.To != "" {
		s += fmt.Sprintf(" (orders %s..%s)", orDash(d.From), orDash(d.To))
	}
	return s
}

// segmentWords names the customers of an RFM segment in a title.
var segmentWords = map[string]string{
	"champions": "champion customers", "potential_loyalists": "potential loyalists",
	"need_attention": "customers needing attention", "about_to_sleep": "customers about to sleep",
	"cant_lose_them": "customers we can't lose",
}

// Who names the members of d in words for a chart title: "at-risk
// customers in Germany", "customers in cluster 2", "top-CLV-tier
// customers".
func (d SegmentDefinition) Who() string {
	var quals []string
	noun := "customers"
	if d.Segment != "" {
		if w, ok := segmentWords[d.Segment]; ok {
			noun = w
		} else {
			noun = strings.ReplaceAll(d.Segment, "_", "-") + " customers"
		}
	}
	if d.CLVTier != "" {
		noun = d.CLVTier + "-CLV-tier " + noun
	}
	if d.Cluster != nil {
		quals = append(quals, fmt.Sprintf("in cluster %d", *d.Cluster))
	}
	if d.Sentiment != "" {
		quals = append(quals, "with "+d.Sentiment+" feedback")
	}
	if d.Country != "" {
		quals = append(quals, "in "+d.Country)
	}
	return strings.Join(append([]string{noun}, quals...), " ")
}

// segmentChartTitle is the title of a segment report's product chart:
// "Top products bought by at-risk customers in Germany, 2011".
func segmentChartTitle(res SegmentReportResult) string {
	t := "Top products bought by " + res.Segment.Who()
	if res.Period != nil && res.Period.Label != "" {
		return t + ", " + res.Period.Label
	}
	return t + ", all orders before " + res.AsOf
}

func orDash(s string) string {
	if s == "" {
		return "…"
	}
	return s
}

// SegmentReport is the segment_report tool: size, value, CLV, products and
// feedback of a customer segment, with its member list.
type SegmentReport struct {
	Store    SegmentReportReader
	Location *time.Location
}

var reportSchema = mustSchema(NameReport, map[string]any{
	"type": "object",
	"properties": map[string]any{
		"segment":   map[string]any{"type": "string", "enum": rfmSegmentNames, "description": "RFM segment"},
		"country":   map[string]any{"type": "string", "description": "customer country as spelled in the data"},
		"cluster":   map[string]any{"type": "integer", "minimum": 0, "maximum": 19, "description": "cluster number from segment_customers (same country and k)"},
		"k":         map[string]any{"type": "integer", "minimum": 2, "maximum": 20, "description": "k of the clustering the cluster refers to (default: chosen by silhouette)"},
		"method":    map[string]any{"type": "string", "enum": []any{"kmeans", "ward"}, "description": "clustering method the cluster refers to (default kmeans)"},
		"clv_tier":  map[string]any{"type": "string", "enum": []any{"top", "mid", "low"}, "description": "third of customers by predicted CLV"},
		"from":      map[string]any{"type": "string", "format": "date", "description": "first day of orders included, YYYY-MM-DD"},
		"to":        map[string]any{"type": "string", "format": "date", "description": "last day of orders included, YYYY-MM-DD"},
		"sentiment": map[string]any{"type": "string", "enum": []any{"positive", "neutral", "negative"}, "description": "mean feedback sentiment of the customer"},
	},
	"additionalProperties": false,
})

// Name implements agent.Tool.
func (SegmentReport) Name() string { return NameReport }

// Description implements agent.Tool.
func (SegmentReport) Description() string {
	return "Report on a customer segment defined by RFM segment, country, cluster (with k), CLV tier (top/mid/low third), " +
		"date range (from/to) and feedback sentiment, combined with AND. " +
		"Output: members, share of customers and revenue, average historical and predicted CLV (GBP), top products, " +
		"main feedback themes, and the member list (customer, RFM, CLV) as a table."
}

// Parameters implements agent.Tool.
func (SegmentReport) Parameters() map[string]any { return reportSchema.doc }

// ReportMember is one member of a segment report. Money is in pounds;
// PredictedCLV and PAlive are nil when the models could not be fitted;
// Cluster is nil unless the definition names one.
type ReportMember struct {
	CustomerID    string   `json:"customer_id"`
	Country       string   `json:"country"`
	RFMSegment    string   `json:"rfm_segment"`
	R             int      `json:"r"`
	F             int      `json:"f"`
	M             int      `json:"m"`
	RecencyDays   int      `json:"recency_days"`
	Frequency     int      `json:"frequency"`
	Monetary      Major    `json:"monetary"`
	HistoricalCLV Major    `json:"historical_clv"`
	PredictedCLV  *Major   `json:"predicted_clv"`
	PAlive        *float64 `json:"p_alive"`
	CLVTier       string   `json:"clv_tier"`
	Cluster       *int     `json:"cluster,omitempty"`
	Sentiment     *float64 `json:"sentiment,omitempty"`
}

// SegmentReportResult is the JSON result of segment_report and what
// roibot report writes to summary.md, members.csv and chart.png.
type SegmentReportResult struct {
	Definition       string                 `json:"definition"`
	Segment          SegmentDefinition      `json:"segment"`
	Description      string                 `json:"description"`
	AsOf             string                 `json:"as_of"`
	Period           *PeriodJSON            `json:"period,omitempty"`
	Currency         string                 `json:"currency"`
	Population       int                    `json:"population"`
	Customers        int                    `json:"customers"`
	CustomerShare    float64                `json:"customer_share"`
	Revenue          Major                  `json:"revenue"`
	RevenueShare     any                    `json:"revenue_share"`
	AvgHistoricalCLV Major                  `json:"avg_historical_clv"`
	AvgPredictedCLV  any                    `json:"avg_predicted_clv"`
	AvgPAlive        any                    `json:"avg_p_alive"`
	CLVTierBasis     string                 `json:"clv_tier_basis"`
	TopProducts      []ProductRevenue       `json:"top_products"`
	FeedbackThemes   []knowledge.ThemeCount `json:"feedback_themes"`
	FeedbackNote     string                 `json:"feedback_note"`
	Cluster          *ClusterRow            `json:"cluster,omitempty"`
	TopMembers       []ReportMember         `json:"top_members"`
	Caveats          []string               `json:"caveats,omitempty"`
	Display          Display                `json:"display"`
	// Members lists every member, highest net spend first (ties by id).
	Members []ReportMember `json:"-"`
}

// Call implements agent.Tool: it decodes the segment definition and
// returns Build's result as JSON.
func (t SegmentReport) Call(ctx context.Context, input string) (_ string, err error) {
	defer recoverTool(t.Name(), &err)
	def, err := decodeArgs[SegmentDefinition](input, reportSchema)
	if err != nil {
		return retryHint(err, "fix the arguments and call segment_report again"), nil
	}
	res, err := t.Build(ctx, def)
	return observe(t.Name(), res, err)
}

// Build is the typed core of segment_report, which the tool, the report
// command and (through the agent) Slack's /roibot report call: it computes
// the report of def (buildSegmentReport). Problems the caller can fix are
// *Problem; other errors come from the store.
func (t SegmentReport) Build(ctx context.Context, def SegmentDefinition) (SegmentReportResult, error) {
	res, err := buildSegmentReport(ctx, t.Store, def, loc(t.Location))
	if err != nil && isArgProblem(err) {
		return SegmentReportResult{}, problemf(err, "widen the segment: another country (as spelled in the data), segment, tier or dates")
	}
	return res, err
}

// Settings of the CLVs in segment reports.
const (
	// ReportCLVMonths is the predicted-CLV horizon in months.
	ReportCLVMonths = 12
	// ReportTopMembers is how many members the JSON lists (the display
	// table and members.csv have them all).
	ReportTopMembers = 20
)

// MemberColumns are the columns of the member table (display and CSV).
var MemberColumns = []string{"customer_id", "country", "rfm_segment", "r", "f", "m", "recency_days", "frequency",
	"monetary_gbp", "historical_clv_gbp", "predicted_clv_gbp", "p_alive", "clv_tier", "cluster", "sentiment"}

// MemberRows renders members as rows of MemberColumns: plain numbers
// (money with two decimals, no currency sign), empty cells for missing
// values, so the CSV loads as is into a spreadsheet.
func MemberRows(members []ReportMember) [][]string {
	rows := make([][]string, len(members))
	f2 := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	for i, m := range members {
		var pred, pa, cl, sent string
		if m.PredictedCLV != nil {
			pred = f2(float64(*m.PredictedCLV))
		}
		if m.PAlive != nil {
			pa = strconv.FormatFloat(*m.PAlive, 'f', 4, 64)
		}
		if m.Cluster != nil {
			cl = strconv.Itoa(*m.Cluster)
		}
		if m.Sentiment != nil {
			sent = strconv.FormatFloat(*m.Sentiment, 'f', 3, 64)
		}
		rows[i] = []string{m.CustomerID, m.Country, m.RFMSegment, strconv.Itoa(m.R), strconv.Itoa(m.F), strconv.Itoa(m.M),
			strconv.Itoa(m.RecencyDays), strconv.Itoa(m.Frequency), f2(float64(m.Monetary)), f2(float64(m.HistoricalCLV)),
			pred, pa, m.CLVTier, cl, sent}
	}
	return rows
}

// buildSegmentReport computes the report of def (see SegmentDefinition)
// from store: the population's orders give RFM scores (analytics.ScoreRFM),
// historical CLV (analytics.CustomerHistoricalCLV, 1% a month, margin 1)
// and predicted CLV (BG/NBD and Gamma-Gamma fitted on the population,
// 12 monthly steps discounted at 1% a month, margin 1); the members are
// filtered from the population, and their top products and feedback themes
// read back. Problems the caller can fix are *analytics.InputError or wrap
// analytics.ErrNoData.
func buildSegmentReport(ctx context.Context, store SegmentReportReader, def SegmentDefinition, l *time.Location) (SegmentReportResult, error) {
	if err := def.validate(); err != nil {
		return SegmentReportResult{}, err
	}
	f := analytics.OrderFilter{Country: def.Country}
	var asOf time.Time
	var period *PeriodJSON
	if def.From != "" || def.To != "" {
		p, err := resolvePeriod(ctx, store, PeriodArgs{From: def.From, To: def.To}, l)
		if err != nil {
			return SegmentReportResult{}, err
		}
		f.From, asOf = p.From, p.To
		pj := periodJSON(p)
		period = &pj
	} else {
		var err error
		if asOf, err = asOfDate(ctx, store, "", l); err != nil {
			return SegmentReportResult{}, err
		}
	}
	f.To = asOf
	orders, err := store.PurchaseOrders(ctx, f)
	if err != nil {
		return SegmentReportResult{}, err
	}
	// As rfm_segments: with a country, each customer is ranked among all
	// customers and the country's customers form the population.
	rfm, globalRFM, err := rankRFM(ctx, store, f, asOf, nil)
	if err != nil {
		if errors.Is(err, analytics.ErrNoData) {
			return SegmentReportResult{}, fmt.Errorf("no purchases before %s%s: %w", asOf.Format(time.DateOnly), inCountry(def.Country), analytics.ErrNoData)
		}
		return SegmentReportResult{}, err
	}
	hist, err := analytics.CustomerHistoricalCLV(orders, asOf, DefaultMonthlyDiscountRate, 1)
	if err != nil {
		return SegmentReportResult{}, err
	}
	histBy := make(map[string]analytics.Money, len(hist))
	for _, h := range hist {
		histBy[h.CustomerID] = h.CLV
	}
	res := SegmentReportResult{
		Definition: "Segment report: the population is the customers of the country with a purchase in the date range; " +
			"RFM as rfm_segments (seed section 4.3); historical CLV = Σ_t net revenue_t / (1.01)^t over months up to as_of (seed 4.2, margin 1); " +
			"predicted CLV = 12 months of BG/NBD expected purchases × Gamma-Gamma expected spend, discounted 1% a month " +
			"(Fader, Hardie & Lee 2005; Fader & Hardie 2013); CLV tier = top/mid/low third of the population by predicted CLV; " +
			"revenue = net spend (purchases minus returns) in the range.",
		Segment: def, Description: def.String(), AsOf: asOf.Format(time.DateOnly), Period: period,
		Currency: analytics.DefaultCurrency, Population: len(rfm.Customers),
		TopProducts: []ProductRevenue{}, FeedbackThemes: []knowledge.ThemeCount{}, TopMembers: []ReportMember{},
	}
	predBy, palive, predNote, paNote := predictCLVs(orders, asOf)
	if paNote != "" && paNote != predNote {
		res.Caveats = append(res.Caveats, "P(alive) not available: "+paNote)
	}
	if predNote != "" {
		res.Caveats = append(res.Caveats, "predicted CLV not available: "+predNote)
	}

	// Tiers over the whole population.
	tierVals := make([]float64, len(rfm.Customers))
	res.CLVTierBasis = "predicted_clv"
	for i, c := range rfm.Customers {
		if predBy != nil {
			tierVals[i] = float64(predBy[c.CustomerID])
		} else {
			tierVals[i] = float64(histBy[c.CustomerID])
		}
	}
	if predBy == nil {
		res.CLVTierBasis = "historical_clv"
	}
	tiers := analytics.ValueTiers(tierVals)

	feats, err := store.CustomerFeatures(ctx, f, asOf)
	if err != nil {
		return SegmentReportResult{}, err
	}
	featBy := make(map[string]analytics.CustomerFeatures, len(feats))
	for _, c := range feats {
		featBy[c.CustomerID] = c
	}
	var clusterOf map[string]int
	var seg SegmentResult
	if def.Cluster != nil {
		seg, err = segmentCustomers(ctx, store, f, asOf, feats, SegmentArgs{K: def.K, Country: def.Country, Method: def.Method})
		if err != nil {
			return SegmentReportResult{}, err
		}
		if *def.Cluster >= seg.K {
			return SegmentReportResult{}, &analytics.InputError{Row: -1, Field: "cluster",
				Err: fmt.Errorf("cluster %d does not exist: the clustering has k = %d (clusters 0..%d)", *def.Cluster, seg.K, seg.K-1)}
		}
		clusterOf = seg.members
		row := seg.Clusters[*def.Cluster]
		res.Cluster = &row
	}

	var total analytics.Money
	var members []ReportMember
	for i, c := range rfm.Customers {
		total += c.Monetary
		fe := featBy[c.CustomerID]
		var sent *float64
		if v, ok := fe.Sentiment.Get(); ok {
			sent = &v
		}
		switch {
		case def.Segment != "" && string(c.Segment) != def.Segment,
			def.CLVTier != "" && tiers[i] != def.CLVTier,
			def.Sentiment != "" && (sent == nil || knowledge.LabelSentiment(*sent) != def.Sentiment):
			continue
		}
		m := ReportMember{CustomerID: c.CustomerID, Country: fe.Country, RFMSegment: string(c.Segment), R: c.R, F: c.F, M: c.M,
			RecencyDays: c.RecencyDays, Frequency: c.Frequency, Monetary: major(c.Monetary), HistoricalCLV: major(histBy[c.CustomerID]),
			CLVTier: tiers[i], Sentiment: sent}
		if def.Cluster != nil {
			cl, ok := clusterOf[c.CustomerID]
			if !ok || cl != *def.Cluster {
				continue
			}
			m.Cluster = &cl
		}
		if predBy != nil {
			p := major(predBy[c.CustomerID])
			m.PredictedCLV = &p
		}
		if palive != nil {
			pa := round(palive[c.CustomerID], 4)
			m.PAlive = &pa
		}
		members = append(members, m)
	}
	sort.SliceStable(members, func(i, j int) bool {
		if members[i].Monetary != members[j].Monetary {
			return members[i].Monetary > members[j].Monetary
		}
		return members[i].CustomerID < members[j].CustomerID
	})
	res.Members = members
	res.Customers = len(members)
	res.CustomerShare = round(float64(len(members))/float64(res.Population), 4)
	var rev analytics.Money
	var histSum, predSum, paSum float64
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m.CustomerID
		rev += analytics.MoneyFromMajor(float64(m.Monetary))
		histSum += float64(m.HistoricalCLV)
		if m.PredictedCLV != nil {
			predSum += float64(*m.PredictedCLV)
		}
		if m.PAlive != nil {
			paSum += *m.PAlive
		}
	}
	res.Revenue = major(rev)
	if total > 0 {
		res.RevenueShare = round(float64(rev)/float64(total), 4)
	} else {
		res.RevenueShare = "n/a: total net revenue is not positive"
	}
	res.AvgPredictedCLV, res.AvgPAlive = "n/a: "+predNote, "n/a: "+paNote
	if n := float64(len(members)); n > 0 {
		res.AvgHistoricalCLV = Major(round(histSum/n, 2))
		if predBy != nil {
			res.AvgPredictedCLV = Major(round(predSum/n, 2))
		}
		if palive != nil {
			res.AvgPAlive = round(paSum/n, 4)
		}
	} else {
		res.AvgPredictedCLV, res.AvgPAlive = "n/a: no members", "n/a: no members"
		res.Caveats = append(res.Caveats, "no customer matches the definition")
	}
	if len(ids) > 0 {
		prods, err := store.TopProductsByGroup(ctx, f, ids, make([]int, len(ids)), 10, analytics.NonProductDescriptions)
		if err != nil {
			return SegmentReportResult{}, err
		}
		for _, p := range prods {
			res.TopProducts = append(res.TopProducts, ProductRevenue{Product: p.Product, Revenue: major(p.Revenue), Quantity: p.Quantity, Customers: p.Customers})
		}
		themes, err := store.FeedbackThemes(ctx, ids, 5)
		if err != nil {
			return SegmentReportResult{}, err
		}
		res.FeedbackThemes = append(res.FeedbackThemes, themes...)
	}
	withFeedback := 0
	for _, m := range members {
		if featBy[m.CustomerID].Feedback > 0 {
			withFeedback++
		}
	}
	res.FeedbackNote = fmt.Sprintf("%d of %d members have feedback linked to their customer id", withFeedback, len(members))
	if def.Country != "" {
		if globalRFM {
			res.Caveats = append(res.Caveats, "RFM scores rank each customer among all customers; CLV tiers are computed among the customers of "+def.Country+" only")
		} else {
			res.Caveats = append(res.Caveats, "RFM quintiles and CLV tiers are computed among the customers of "+def.Country+" only")
		}
	}
	res.TopMembers = members[:min(len(members), ReportTopMembers)]
	res.Display = reportDisplay(res)
	return res, nil
}

// predictCLVs fits BG/NBD (in days) and Gamma-Gamma on the population and
// returns each customer's 12-month predicted CLV and P(alive), or nil maps
// and the reason when a model cannot be fitted.
func predictCLVs(orders []analytics.Order, asOf time.Time) (map[string]analytics.Money, map[string]float64, string, string) {
	sums, err := analytics.SummarizeCustomers(orders, asOf, analytics.UnitDays)
	if err != nil {
		return nil, nil, err.Error(), err.Error()
	}
	bg, err := fitBTYD(modelBGNBD, sums)
	if err != nil {
		return nil, nil, "BG/NBD fit: " + err.Error(), "BG/NBD fit: " + err.Error()
	}
	// P(alive) needs only BG/NBD, and only where it can tell.
	var pa map[string]float64
	paNote := ""
	if why := bg.pAliveNA(1); why != "" {
		paNote = why
	} else if fc, err := analytics.ForecastTransactions(sums, bg.model, 1); err == nil {
		pa = make(map[string]float64, len(fc))
		for _, c := range fc {
			pa[c.CustomerID] = c.PAlive
		}
	} else {
		paNote = err.Error()
	}
	gg, err := fitBTYD(modelGammaGamma, sums)
	if err != nil {
		return nil, pa, "Gamma-Gamma fit: " + err.Error(), paNote
	}
	clvs, err := analytics.PredictCLV(sums, bg.model, gg.spend.Params, analytics.CLVConfig{
		Periods: ReportCLVMonths, PeriodLength: 365.0 / 12, DiscountRate: DefaultMonthlyDiscountRate, Margin: 1})
	if err != nil {
		return nil, pa, err.Error(), paNote
	}
	pred := make(map[string]analytics.Money, len(clvs))
	for _, c := range clvs {
		pred[c.CustomerID] = c.CLV
	}
	return pred, pa, "", paNote
}

var reportSentiments = []string{knowledge.LabelPositive, knowledge.LabelNeutral, knowledge.LabelNegative}

// validate checks the enumerated fields (the schema does the same for the
// tool; the CLI relies on this).
func (d SegmentDefinition) validate() error {
	bad := func(field string, err error) error { return &analytics.InputError{Row: -1, Field: field, Err: err} }
	if d.Segment != "" && !slices.ContainsFunc(rfmSegmentNames, func(v any) bool { return v == d.Segment }) {
		return bad("segment", fmt.Errorf("unknown RFM segment %q", d.Segment))
	}
	if d.CLVTier != "" && d.CLVTier != analytics.TierTop && d.CLVTier != analytics.TierMid && d.CLVTier != analytics.TierLow {
		return bad("clv_tier", fmt.Errorf("%q; want top, mid or low", d.CLVTier))
	}
	if d.Sentiment != "" && !slices.Contains(reportSentiments, d.Sentiment) {
		return bad("sentiment", fmt.Errorf("%q; want positive, neutral or negative", d.Sentiment))
	}
	if d.Cluster != nil && *d.Cluster < 0 {
		return bad("cluster", errors.New("negative cluster number"))
	}
	if d.K != 0 && (d.K < 2 || d.K > 20) {
		return bad("k", fmt.Errorf("k = %d; want 2..20", d.K))
	}
	if d.Method != "" && d.Method != string(analytics.MethodKMeans) && d.Method != string(analytics.MethodWard) {
		return bad("method", fmt.Errorf("%q; want kmeans or ward", d.Method))
	}
	return nil
}

func reportDisplay(res SegmentReportResult) Display {
	cur := res.Currency
	sum := Table{Title: "Segment report: " + res.Description + " as of " + res.AsOf, Columns: []string{"measure", "value"}}
	rs := "n/a"
	if v, ok := res.RevenueShare.(float64); ok {
		rs = pct(analytics.Float(v))
	}
	pred := fmt.Sprint(res.AvgPredictedCLV)
	if v, ok := res.AvgPredictedCLV.(Major); ok {
		pred = money(analytics.MoneyFromMajor(float64(v)), cur)
	}
	sum.Rows = [][]string{
		{"customers", fmt.Sprintf("%d of %d (%s)", res.Customers, res.Population, pct(analytics.Float(res.CustomerShare)))},
		{"net revenue", money(analytics.MoneyFromMajor(float64(res.Revenue)), cur) + " (" + rs + " of the population)"},
		{"average historical CLV", money(analytics.MoneyFromMajor(float64(res.AvgHistoricalCLV)), cur)},
		{fmt.Sprintf("average predicted CLV (%d months)", ReportCLVMonths), pred},
	}
	var themes []string
	for _, t := range res.FeedbackThemes {
		themes = append(themes, fmt.Sprintf("%s (%d)", t.Theme, t.Count))
	}
	if len(themes) > 0 {
		sum.Rows = append(sum.Rows, []string{"feedback themes", strings.Join(themes, ", ")})
	} else {
		sum.Rows = append(sum.Rows, []string{"feedback themes", "none (" + res.FeedbackNote + ")"})
	}
	d := Display{Tables: []Table{sum}}
	if len(res.TopProducts) > 0 {
		chart := Chart{Title: segmentChartTitle(res), Kind: "bar", Unit: cur, XLabel: "Product", YLabel: "Net revenue"}
		for _, p := range res.TopProducts {
			chart.Labels = append(chart.Labels, p.Product)
			chart.Values = append(chart.Values, float64(p.Revenue))
		}
		d.Charts = append(d.Charts, chart)
	}
	if len(res.Members) > 0 {
		d.Tables = append(d.Tables, Table{Title: "Members of " + res.Description, Columns: MemberColumns, Rows: MemberRows(res.Members)})
	}
	return d
}
