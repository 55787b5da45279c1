package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/roibot/roibot/demodata"
	"github.com/roibot/roibot/ingest"
	"github.com/roibot/roibot/postgres"
	"github.com/roibot/roibot/tools"
)

// mmmStore adapts the store to the mmm tool's reader.
type mmmStore struct {
	s   *postgres.Store
	loc *time.Location
}

func (m mmmStore) MMMData(ctx context.Context, dataset string) (*tools.MMMData, error) {
	d, err := m.s.LoadMMMDataset(ctx, dataset, m.loc)
	if errors.Is(err, postgres.ErrNoMMMData) {
		return nil, fmt.Errorf("%w: %v", tools.ErrNoMMMData, err)
	}
	if err != nil {
		return nil, err
	}
	return &tools.MMMData{Name: d.Name, Currency: d.Currency, Synthetic: d.Synthetic, Version: d.ImportedAt, Input: d.Input, Paths: d.Paths, Truth: d.Truth}, nil
}

// importMMMWeekly imports a weekly media-mix file as the data set named
// after the file (base name without extensions), replacing an earlier
// import of the same name.
func (a *App) importMMMWeekly(ctx context.Context, path string, asJSON bool) error {
	s, err := a.migratedStore(ctx)
	if err != nil {
		return err
	}
	rc, err := ingest.Open(path)
	if err != nil {
		return fmt.Errorf("import %s: %w", ingest.FormatMMMWeekly, err)
	}
	defer rc.Close()
	base := filepath.Base(path)
	d, rep, err := ingest.ReadMMMWeekly(rc, a.Config.Location(), base)
	if rep != nil {
		if asJSON {
			printJSON(a.Stdout, rep)
		} else {
			rep.PrintLimit(a.Stdout, 20)
		}
	}
	if err != nil {
		return fmt.Errorf("import %s: %w", ingest.FormatMMMWeekly, err)
	}
	name := strings.SplitN(base, ".", 2)[0]
	if err := s.StoreMMMDataset(ctx, postgres.MMMDataset{Name: name, Currency: d.Currency, Source: base, Input: d.Input}); err != nil {
		return err
	}
	if !asJSON {
		fmt.Fprintf(a.Stdout, "stored as MMM dataset %q: %d weeks, %d channels (%s)\n", name, len(d.Input.Weeks), len(d.Input.Media), d.Currency)
	}
	return nil
}

// storeMMMScenario stores the SYNTHETIC MMM scenario (demodata.GenerateMMM)
// as dataset synthetic_mmm, with its paths, lift test and truth, unless it
// is already stored and force is false.
func (a *App) storeMMMScenario(ctx context.Context, s *postgres.Store, seed uint64, force bool) error {
	list, err := s.MMMDatasets(ctx)
	if err != nil {
		return err
	}
	for _, d := range list {
		if d.Name == demodata.MMMDataset && !force {
			return nil
		}
	}
	sc := demodata.GenerateMMM(seed)
	truth, err := json.Marshal(map[string]any{"synthetic": true, "seed": sc.Seed, "channels": sc.Channels, "lift_true_incremental": sc.LiftTrue,
		"noise_sd": sc.NoiseSD, "aov": sc.AOV, "generated_by": "demodata.GenerateMMM"})
	if err != nil {
		return err
	}
	in := sc.Input
	in.LiftTests = append(in.LiftTests, sc.Lift)
	if err := s.StoreMMMDataset(ctx, postgres.MMMDataset{Name: demodata.MMMDataset, Currency: sc.Currency, Synthetic: true, Source: "demodata.GenerateMMM", Input: in, Paths: sc.Paths, Truth: truth}); err != nil {
		return err
	}
	fmt.Fprintf(a.Stdout, "stored the %s", sc.String())
	return nil
}
