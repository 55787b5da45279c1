package tools

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/roibot/roibot/analytics"
)

// SegmentReader is what the segmentation tools need from storage.
type SegmentReader interface {
	DataRange
	CustomerFeatures(ctx context.Context, f analytics.OrderFilter, asOf time.Time) ([]analytics.CustomerFeatures, error)
	TopProductsByGroup(ctx context.Context, f analytics.OrderFilter, customerIDs []string, groups []int, limit int, exclude []string) ([]analytics.ProductSales, error)
}

// SegmentSeed seeds k-means++ and the silhouette sample, so that the same
// data and arguments always give the same clusters (and segment_report's
// cluster numbers match segment_customers').
const SegmentSeed = 7

// Range of k that segment_customers tries when k is not given.
const (
	ChooseKMin = 2
	ChooseKMax = 8
)

// Segment is the segment_customers tool: K-means (or Ward) clusters of
// customers on standardized behavioural features, each profiled in
// business units and named (seed sections 3.3.2 and 3.4.1).
type Segment struct {
	Store    SegmentReader
	Location *time.Location
}

// SegmentArgs are the arguments of segment_customers and of its typed core
// (Segment.Cluster): k (0 chooses it by silhouette over 2..8), a country
// and the method ("kmeans", the default, or "ward").
type SegmentArgs struct {
	K       int    `json:"k"`
	Country string `json:"country"`
	Method  string `json:"method"`
}

var segmentSchema = mustSchema(NameSegment, map[string]any{
	"type": "object",
	"properties": map[string]any{
		"k":       map[string]any{"type": "integer", "minimum": 2, "maximum": 20, "description": "number of clusters; default: chosen by the best silhouette over 2..8"},
		"country": map[string]any{"type": "string", "description": "cluster only the customers of this country, as spelled in the data"},
		"method":  map[string]any{"type": "string", "enum": []any{"kmeans", "ward"}, "description": "kmeans (default; k-means++ with restarts) or ward (hierarchical, at most 5,000 customers)"},
	},
	"additionalProperties": false,
})

// Name implements agent.Tool.
func (Segment) Name() string { return NameSegment }

// Description implements agent.Tool.
func (Segment) Description() string {
	return "Customer segmentation by K-means (or Ward) on standardized features: recency_days, frequency, monetary, " +
		"tenure_days, avg_basket, return_rate, and feedback sentiment where present. " +
		"Input: k (2-20; default chosen by silhouette over 2..8, scores shown), country, method (kmeans, ward). " +
		"Output: per cluster a name, customers, revenue share, median spend (GBP), mean recency/frequency, " +
		"top countries and products; silhouette scores."
}

// Parameters implements agent.Tool.
func (Segment) Parameters() map[string]any { return segmentSchema.doc }

// CountryCount is a country with its number of customers.
type CountryCount struct {
	Country   string `json:"country"`
	Customers int    `json:"customers"`
}

// ProductRevenue is a product with its purchase revenue.
type ProductRevenue struct {
	Product   string `json:"product"`
	Revenue   Major  `json:"revenue"`
	Quantity  int64  `json:"quantity"`
	Customers int    `json:"customers"`
}

// ClusterRow profiles one cluster in business units. Shares are fractions;
// RevenueShare is a fraction or "n/a: reason"; money is in pounds.
type ClusterRow struct {
	Cluster         int              `json:"cluster"`
	Name            string           `json:"name"`
	Customers       int              `json:"customers"`
	CustomerShare   float64          `json:"customer_share"`
	Revenue         Major            `json:"revenue"`
	RevenueShare    any              `json:"revenue_share"`
	MedianSpend     Major            `json:"median_spend"`
	MeanRecencyDays float64          `json:"mean_recency_days"`
	MeanFrequency   float64          `json:"mean_frequency"`
	MeanTenureDays  float64          `json:"mean_tenure_days"`
	MeanAvgBasket   Major            `json:"mean_avg_basket"`
	ReturnRate      float64          `json:"return_rate"`
	MeanSentiment   *float64         `json:"mean_sentiment,omitempty"`
	TopCountries    []CountryCount   `json:"top_countries"`
	TopProducts     []ProductRevenue `json:"top_products"`
	// Relative is the cluster mean of each clustering feature in standard
	// deviations from the overall mean (transformed features), the basis
	// of Name.
	Relative map[string]float64 `json:"relative"`
}

// SegmentResult is the JSON result of segment_customers.
type SegmentResult struct {
	Definition string             `json:"definition"`
	AsOf       string             `json:"as_of"`
	Country    string             `json:"country,omitempty"`
	Currency   string             `json:"currency"`
	Method     string             `json:"method"`
	K          int                `json:"k"`
	KChosenBy  string             `json:"k_chosen_by"`
	Silhouette any                `json:"silhouette"`
	Scores     []analytics.KScore `json:"silhouette_scores,omitempty"`
	Customers  int                `json:"customers"`
	Features   []string           `json:"features"`
	Clusters   []ClusterRow       `json:"clusters"`
	Notes      []string           `json:"notes,omitempty"`
	Caveats    []string           `json:"caveats,omitempty"`
	Display    Display            `json:"display"`
	members    map[string]int     // customer id → cluster, for segment_report
	features   map[string]analytics.CustomerFeatures
}

// Call implements agent.Tool: it decodes the arguments and returns
// Cluster's result as JSON.
func (t Segment) Call(ctx context.Context, input string) (_ string, err error) {
	defer recoverTool(t.Name(), &err)
	args, err := decodeArgs[SegmentArgs](input, segmentSchema)
	if err != nil {
		return retryHint(err, "fix the arguments and call segment_customers again"), nil
	}
	res, err := t.Cluster(ctx, args)
	return observe(t.Name(), res, err)
}

// Cluster is the typed core of segment_customers, which the tool and the
// segment command call: it reads each customer's behavioural features as
// of the day after the last order, clusters them (segmentCustomers:
// K-means or Ward on standardized features, k by silhouette when not given)
// and profiles each cluster. Problems the caller can fix are *Problem;
// other errors come from the store.
func (t Segment) Cluster(ctx context.Context, args SegmentArgs) (SegmentResult, error) {
	var err error
	if args.K, err = segmentSchema.intArg("k", args.K, 0); err != nil {
		return SegmentResult{}, err
	}
	asOf, err := asOfDate(ctx, t.Store, "", loc(t.Location))
	if err != nil {
		return SegmentResult{}, err
	}
	f := analytics.OrderFilter{Country: args.Country, To: asOf}
	feats, err := t.Store.CustomerFeatures(ctx, f, asOf)
	if err != nil {
		return SegmentResult{}, err
	}
	res, err := segmentCustomers(ctx, t.Store, f, asOf, feats, args)
	if err != nil {
		if isArgProblem(err) {
			return SegmentResult{}, problemf(err, segmentHint)
		}
		return SegmentResult{}, err
	}
	return res, nil
}

const segmentHint = "use a smaller k, method kmeans, or another country (as spelled in the data)"

// errWardTooMany is returned when Ward is asked for more customers than it handles.
var errWardTooMany = fmt.Errorf("ward clustering handles at most %d customers", analytics.WardMaxPoints)

// segmentCustomers clusters feats (the customers of f as of asOf) and
// profiles the clusters. Problems the caller can fix are *analytics.InputError
// or wrap analytics.ErrNoData.
func segmentCustomers(ctx context.Context, store SegmentReader, f analytics.OrderFilter, asOf time.Time,
	feats []analytics.CustomerFeatures, args SegmentArgs) (SegmentResult, error) {
	if len(feats) == 0 {
		return SegmentResult{}, fmt.Errorf("no customers with purchases before %s%s: %w", asOf.Format(time.DateOnly), inCountry(args.Country), analytics.ErrNoData)
	}
	method := analytics.MethodKMeans
	if args.Method == string(analytics.MethodWard) {
		method = analytics.MethodWard
		if len(feats) > analytics.WardMaxPoints {
			return SegmentResult{}, &analytics.InputError{Row: -1, Field: "method",
				Err: fmt.Errorf("%w; the selection has %d (use kmeans or a country)", errWardTooMany, len(feats))}
		}
	}
	fm, notes, err := analytics.SegmentationFeatures(feats)
	if err != nil {
		return SegmentResult{}, err
	}
	opt := analytics.KMeansOptions{Seed: SegmentSeed}
	res := SegmentResult{
		Definition: "Customer segmentation (seed sections 3.3.2 and 5.4; LLM/lexicon sentiment as a feature per 3.4.1): one row per customer " +
			"with a purchase before as_of; features recency_days (days since the last purchase), frequency (purchase invoices), " +
			"monetary (net spend), tenure_days (days since the first purchase), avg_basket (purchase revenue / invoices), " +
			"return_rate (returned / purchased value) and sentiment (mean VADER compound of the customer's feedback) when present; " +
			"log(1+x) on frequency, monetary and avg_basket, then z-scores. K-means: Lloyd's algorithm from k-means++ seeding, " +
			"10 restarts, lowest inertia kept, fixed seed. Ward: minimum-variance hierarchical clustering cut at k. " +
			"k, when not given, maximises the mean silhouette (Rousseeuw 1987) over 2..8. Names come from the features " +
			"at least 0.5 SD from the average.",
		AsOf: asOf.Format(time.DateOnly), Country: f.Country, Currency: analytics.DefaultCurrency,
		Method: string(method), Customers: len(feats), Features: fm.Columns, Notes: notes,
	}
	var cl analytics.Clustering
	if args.K == 0 {
		choice, err := analytics.ChooseK(fm, ChooseKMin, ChooseKMax, method, opt)
		if err != nil {
			return SegmentResult{}, err
		}
		cl, res.Scores, res.KChosenBy = choice.Best, choice.Scores, "silhouette"
		for _, s := range choice.Scores {
			if s.K == cl.K {
				res.Silhouette = round(s.Silhouette, 4)
			}
		}
		for i := range res.Scores {
			res.Scores[i].Silhouette = round(res.Scores[i].Silhouette, 4)
			res.Scores[i].Inertia = round(res.Scores[i].Inertia, 2)
		}
	} else {
		res.KChosenBy = "given"
		if method == analytics.MethodWard {
			cl, err = analytics.WardClusters(fm, args.K)
		} else {
			cl, err = analytics.KMeans(fm, args.K, opt)
		}
		if err != nil {
			return SegmentResult{}, err
		}
		res.Silhouette = "n/a"
		if z, _, err := analytics.Standardize(fm); err == nil {
			if s, err := analytics.Silhouette(z, cl.Labels, SegmentSeed); err == nil {
				res.Silhouette = round(s, 4)
			} else {
				res.Silhouette = "n/a: " + err.Error()
			}
		}
	}
	res.K = cl.K
	prof, err := analytics.ProfileClusters(fm, cl.Labels, analytics.CustomerFeatureTerms)
	if err != nil {
		return SegmentResult{}, err
	}
	ids := make([]string, len(feats))
	res.members = make(map[string]int, len(feats))
	for i, c := range feats {
		ids[i] = c.CustomerID
		res.members[c.CustomerID] = cl.Labels[i]
	}
	prods, err := store.TopProductsByGroup(ctx, f, ids, cl.Labels, 3, analytics.NonProductDescriptions)
	if err != nil {
		return SegmentResult{}, err
	}
	res.Clusters = profileRows(feats, cl.Labels, prof, prods)
	if len(feats) < 10*cl.K {
		res.Caveats = append(res.Caveats, fmt.Sprintf("only %d customers for %d clusters: the clusters are small and unstable", len(feats), cl.K))
	}
	if f.Country != "" {
		res.Caveats = append(res.Caveats, "features are standardized among the customers of "+f.Country+" only")
	}
	res.Display = segmentDisplay(res)
	return res, nil
}

// profileRows summarises each cluster in business units.
func profileRows(feats []analytics.CustomerFeatures, labels []int, prof analytics.SegmentProfile, prods []analytics.ProductSales) []ClusterRow {
	k := len(prof.Clusters)
	type acc struct {
		spend                []float64
		net, rev, ret        analytics.Money
		rec, freq, ten, bask float64
		sent                 float64
		nSent                int
		countries            map[string]int
	}
	accs := make([]acc, k)
	var total analytics.Money
	for i, c := range feats {
		a := &accs[labels[i]]
		if a.countries == nil {
			a.countries = map[string]int{}
		}
		a.spend = append(a.spend, c.Monetary().Major())
		a.net += c.Monetary()
		a.rev += c.Revenue
		a.ret += c.Returns
		a.rec += float64(c.RecencyDays)
		a.freq += float64(c.Frequency)
		a.ten += float64(c.TenureDays)
		a.bask += c.AvgBasket().Major()
		if v, ok := c.Sentiment.Get(); ok {
			a.sent += v
			a.nSent++
		}
		a.countries[c.Country]++
		total += c.Monetary()
	}
	rows := make([]ClusterRow, k)
	for c := range rows {
		a := accs[c]
		n := float64(len(a.spend))
		r := ClusterRow{
			Cluster: c, Name: prof.Clusters[c].Name, Customers: len(a.spend),
			CustomerShare:   round(n/float64(len(feats)), 4),
			Revenue:         major(a.net),
			MedianSpend:     Major(round(median(a.spend), 2)),
			MeanRecencyDays: round(a.rec/n, 1), MeanFrequency: round(a.freq/n, 2), MeanTenureDays: round(a.ten/n, 1),
			MeanAvgBasket: Major(round(a.bask/n, 2)),
			TopCountries:  topCountries(a.countries, 3),
			TopProducts:   []ProductRevenue{},
			Relative:      map[string]float64{},
		}
		if total > 0 {
			r.RevenueShare = round(float64(a.net)/float64(total), 4)
		} else {
			r.RevenueShare = "n/a: total net revenue is not positive"
		}
		if a.rev > 0 {
			r.ReturnRate = round(float64(-a.ret)/float64(a.rev), 4)
		}
		if a.nSent > 0 {
			v := round(a.sent/float64(a.nSent), 3)
			r.MeanSentiment = &v
		}
		for j, col := range prof.Columns {
			r.Relative[col] = round(prof.Clusters[c].Relative[j], 2)
		}
		rows[c] = r
	}
	for _, p := range prods {
		if p.Group >= 0 && p.Group < k {
			rows[p.Group].TopProducts = append(rows[p.Group].TopProducts,
				ProductRevenue{Product: p.Product, Revenue: major(p.Revenue), Quantity: p.Quantity, Customers: p.Customers})
		}
	}
	return rows
}

func segmentDisplay(res SegmentResult) Display {
	var d Display
	t := Table{Title: fmt.Sprintf("%d customer clusters (%s)%s as of %s", res.K, res.Method, inCountry(res.Country), res.AsOf),
		Columns: []string{"cluster", "name", "customers", "share", "revenue share", "median spend", "recency (days)", "frequency", "top countries", "top products"}}
	chart := Chart{Title: fmt.Sprintf("Customers per cluster (%s, k = %d)%s", res.Method, res.K, inCountry(res.Country)), Kind: "bar", Unit: "customers", YLabel: "Customers", XLabel: "cluster"}
	for _, c := range res.Clusters {
		var cs, ps []string
		for _, x := range c.TopCountries {
			cs = append(cs, x.Country)
		}
		for _, x := range c.TopProducts {
			ps = append(ps, x.Product)
		}
		rs := "n/a"
		if v, ok := c.RevenueShare.(float64); ok {
			rs = pct(analytics.Float(v))
		}
		t.Rows = append(t.Rows, []string{strconv.Itoa(c.Cluster), c.Name, strconv.Itoa(c.Customers), pct(analytics.Float(c.CustomerShare)), rs,
			money(analytics.MoneyFromMajor(float64(c.MedianSpend)), res.Currency), strconv.FormatFloat(c.MeanRecencyDays, 'f', 0, 64),
			strconv.FormatFloat(c.MeanFrequency, 'f', 1, 64), strings.Join(cs, ", "), strings.Join(ps, "; ")})
		chart.Labels = append(chart.Labels, fmt.Sprintf("%d %s", c.Cluster, c.Name))
		chart.Values = append(chart.Values, float64(c.Customers))
	}
	d.Tables = append(d.Tables, t)
	if len(res.Scores) > 0 {
		st := Table{Title: "Silhouette by k (higher is better)", Columns: []string{"k", "silhouette", "inertia"}}
		for _, s := range res.Scores {
			st.Rows = append(st.Rows, []string{strconv.Itoa(s.K), strconv.FormatFloat(s.Silhouette, 'f', 4, 64), strconv.FormatFloat(s.Inertia, 'f', 1, 64)})
		}
		d.Tables = append(d.Tables, st)
	}
	d.Charts = append(d.Charts, chart)
	return d
}

// median returns the median of v (mean of the middle two for even
// lengths), 0 for none. v is sorted in place.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	sort.Float64s(v)
	m := len(v) / 2
	if len(v)%2 == 1 {
		return v[m]
	}
	return (v[m-1] + v[m]) / 2
}

// topCountries returns the n countries with most customers (ties by name).
func topCountries(m map[string]int, n int) []CountryCount {
	out := make([]CountryCount, 0, len(m))
	for c, k := range m {
		if c == "" {
			c = "unknown"
		}
		out = append(out, CountryCount{Country: c, Customers: k})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Customers != out[j].Customers {
			return out[i].Customers > out[j].Customers
		}
		return out[i].Country < out[j].Country
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}
