package analytics

import "time"

// FunnelQuery selects the sessions a stored funnel counts (see
// FunnelCounts).
type FunnelQuery struct {
	// Period bounds the time of each session's first visit: [From, To).
	Period Period
	// Channel and Campaign keep only sessions whose first visit came from
	// them; empty selects all.
	Channel, Campaign string
	// Window is the conversion window: a later stage counts only when
	// reached within Window of the session's first visit. 0 means no limit.
	Window time.Duration
	// Location is the business time zone the daily buckets follow; nil
	// means UTC.
	Location *time.Location
}

// FunnelCounts holds stage counts of sessions, as counted by a store: per
// stage of Stages (in order), the number of sessions that entered the
// funnel at Stages[0] in the period and reached the stage, in order,
// within the conversion window (the definition of FunnelFromEvents).
//
// Total has one count per stage. Daily has one entry per local calendar
// day of the period that has at least one entrant, oldest first, each
// session counted on the day of its first visit, so the daily counts of a
// stage sum to its total. ByChannel has one entry per channel of the
// sessions' first visits, sorted by name, and sums to Total likewise.
type FunnelCounts struct {
	Stages    []string
	Total     []int
	Daily     []FunnelGroupCounts
	ByChannel []FunnelGroupCounts
}

// FunnelGroupCounts is the stage counts of one group of sessions (a local
// day "YYYY-MM-DD" or a channel), one count per stage.
type FunnelGroupCounts struct {
	Group  string
	Counts []int
}

// StageCounts pairs stage names with counts for Funnel and CompareFunnels;
// counts has one entry per stage.
func StageCounts(stages []string, counts []int) []StageCount {
	out := make([]StageCount, len(stages))
	for i, s := range stages {
		out[i].Stage = s
		if i < len(counts) {
			out[i].Count = counts[i]
		}
	}
	return out
}
