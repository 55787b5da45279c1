package analytics

import (
	"fmt"
	"sort"
	"time"
)

// Chosen returns the model of r with the highest validation AUC (single
// or ensemble): the one answers use.
func (r *FitResult) Chosen() *ModelResult {
	var best *ModelResult
	for i := range r.Models {
		if best == nil || r.Models[i].Validation.AUC > best.Validation.AUC {
			best = &r.Models[i]
		}
	}
	return best
}

// FeatureDrift is one input's population stability index between the old
// model's training rows and the new one's.
type FeatureDrift struct {
	Column string  `json:"column"`
	PSI    float64 `json:"psi"`
}

// ChurnRetrain is the outcome of RetrainChurn.
type ChurnRetrain struct {
	// New describes the retrained model (Active false when the old one is
	// kept).
	New ModelVersion
	// OldHoldoutAUC is the old model's AUC on the new model's test rows
	// (NaN-free; 0 when there was no old model).
	OldHoldoutAUC float64
	// KeepOld is true when the new model scored a lower AUC than the old
	// on the latest holdout.
	KeepOld bool
	// Drift lists PSI per input, largest first (empty without an old model).
	Drift []FeatureDrift
}

// RetrainChurn retrains the churn model (seed section 3.4.3) on orders as
// of asOf: features at asOf − horizonDays, labels from then to asOf, fitted
// and evaluated as FitModels does, the chosen model being the one of
// highest validation AUC. With an old version (its WindowFrom the old
// cut-off) it refits the old window (the fits are deterministic, so this
// reproduces the old model from orders that have not changed), scores the
// new fit's untouched test rows (the latest holdout) with the old chosen
// model, keeps the old when the new AUC there is lower, and reports the
// PSI of every input between the two training tables. It returns
// ChurnTable's and FitModels' errors.
func RetrainChurn(orders []Order, old *ModelVersion, asOf time.Time, horizonDays int, cfg FitConfig) (ChurnRetrain, error) {
	cut := asOf.AddDate(0, 0, -horizonDays)
	tbl, err := ChurnTable(orders, ChurnConfig{Cutoff: cut, HorizonDays: horizonDays, Labelled: true})
	if err != nil {
		return ChurnRetrain{}, err
	}
	res, err := FitModels(tbl, cfg)
	if err != nil {
		return ChurnRetrain{}, err
	}
	best := res.Chosen()
	var through time.Time
	for _, o := range orders {
		if o.At.Before(asOf) && o.At.After(through) {
			through = o.At
		}
	}
	out := ChurnRetrain{New: ModelVersion{Name: "churn", WindowFrom: cut, WindowTo: asOf, DataThrough: through,
		Features: res.Features, Model: best.Name, Metrics: res.Metrics(), HoldoutAUC: best.Test.AUC, Active: true,
		Params: map[string]string{"horizon_days": fmt.Sprint(horizonDays), "seed": fmt.Sprint(cfg.Seed), "params": best.Params}}}
	if old == nil {
		return out, nil
	}
	oldTbl, err := ChurnTable(orders, ChurnConfig{Cutoff: old.WindowFrom, HorizonDays: horizonDays, Labelled: true})
	if err != nil {
		return ChurnRetrain{}, fmt.Errorf("old window: %w", err)
	}
	ocfg := cfg
	ocfg.ImportanceRepeats = -1
	oldRes, err := FitModels(oldTbl, ocfg)
	if err != nil {
		return ChurnRetrain{}, fmt.Errorf("old window: %w", err)
	}
	oldModel := oldRes.Model(old.Model)
	if oldModel == nil {
		oldModel = oldRes.Chosen()
	}
	holdout := tbl.Subset(res.Split.Test)
	p, err := oldModel.Predictor.PredictTable(holdout)
	if err != nil {
		return ChurnRetrain{}, err
	}
	if out.OldHoldoutAUC, err = AUC(holdout.Target, p); err != nil {
		return ChurnRetrain{}, err
	}
	out.KeepOld = out.New.HoldoutAUC < out.OldHoldoutAUC
	out.New.Active = !out.KeepOld
	for j, c := range tbl.Columns {
		psi, err := PSI(oldTbl.Columns[j], c)
		if err != nil {
			return ChurnRetrain{}, err
		}
		out.Drift = append(out.Drift, FeatureDrift{Column: c.Name, PSI: psi})
	}
	sort.SliceStable(out.Drift, func(a, b int) bool { return out.Drift[a].PSI > out.Drift[b].PSI })
	return out, nil
}
