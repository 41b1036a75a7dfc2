package demo_test

import (
	"testing"

	"github.com/mxtop/mxtop/demo"
	"github.com/mxtop/mxtop/engine/parse"
)

// TestCategoryNames_MatchParse guards the mirror of parse's categories (demo may not import
// parse): same names, same order.
func TestCategoryNames_MatchParse(t *testing.T) {
	t.Parallel()
	if len(demo.CategoryNames) != parse.NumCategories {
		t.Fatalf("demo has %d categories, parse %d", len(demo.CategoryNames), parse.NumCategories)
	}
	for i, name := range demo.CategoryNames {
		if got := parse.Category(i).String(); got != name {
			t.Errorf("category %d: demo %q, parse %q", i, name, got)
		}
	}
}
