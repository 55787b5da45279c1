package tools

import (
	"context"
	"time"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/knowledge"
)

// fakeStore implements the readers of the segmentation tools with one
// func field per method; nil fields return nothing.
type fakeStore struct {
	DataRangeFn          func(ctx context.Context, currency string) (time.Time, time.Time, error)
	CustomerFeaturesFn   func(ctx context.Context, f analytics.OrderFilter, asOf time.Time) ([]analytics.CustomerFeatures, error)
	TopProductsByGroupFn func(ctx context.Context, f analytics.OrderFilter, ids []string, groups []int, limit int, exclude []string) ([]analytics.ProductSales, error)
	PurchaseOrdersFn     func(ctx context.Context, f analytics.OrderFilter) ([]analytics.Order, error)
	FeedbackThemesFn     func(ctx context.Context, ids []string, limit int) ([]knowledge.ThemeCount, error)
	BasketLinesFn        func(ctx context.Context, f analytics.OrderFilter) ([]analytics.BasketLine, error)
}

// fakeLastOrder is the fake data's last order time: as-of is 2011-12-10.
var fakeLastOrder = time.Date(2011, 12, 9, 12, 0, 0, 0, time.UTC)

func (s *fakeStore) DataRange(ctx context.Context, currency string) (time.Time, time.Time, error) {
	if s.DataRangeFn == nil {
		return time.Date(2010, 12, 1, 8, 26, 0, 0, time.UTC), fakeLastOrder, nil
	}
	return s.DataRangeFn(ctx, currency)
}

func (s *fakeStore) CustomerFeatures(ctx context.Context, f analytics.OrderFilter, asOf time.Time) ([]analytics.CustomerFeatures, error) {
	if s.CustomerFeaturesFn == nil {
		return nil, nil
	}
	return s.CustomerFeaturesFn(ctx, f, asOf)
}

func (s *fakeStore) TopProductsByGroup(ctx context.Context, f analytics.OrderFilter, ids []string, groups []int, limit int, exclude []string) ([]analytics.ProductSales, error) {
	if s.TopProductsByGroupFn == nil {
		return nil, nil
	}
	return s.TopProductsByGroupFn(ctx, f, ids, groups, limit, exclude)
}

func (s *fakeStore) PurchaseOrders(ctx context.Context, f analytics.OrderFilter) ([]analytics.Order, error) {
	if s.PurchaseOrdersFn == nil {
		return nil, nil
	}
	return s.PurchaseOrdersFn(ctx, f)
}

func (s *fakeStore) FeedbackThemes(ctx context.Context, ids []string, limit int) ([]knowledge.ThemeCount, error) {
	if s.FeedbackThemesFn == nil {
		return nil, nil
	}
	return s.FeedbackThemesFn(ctx, ids, limit)
}

func (s *fakeStore) BasketLines(ctx context.Context, f analytics.OrderFilter) (analytics.ItemLines, error) {
	if s.BasketLinesFn == nil {
		return analytics.ItemLines{}, nil
	}
	lines, err := s.BasketLinesFn(ctx, f)
	return analytics.NumberLines(lines), err
}
