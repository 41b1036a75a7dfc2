package ui

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/mxtop/mxtop/engine/classify"
)

// containsFoldNaive is the definition containsFold must agree with: a byte-by-byte scan.
func containsFoldNaive(s, sub string) bool {
	n := len(sub)
	if n == 0 {
		return true
	}
	for i := 0; i+n <= len(s); i++ {
		if lowerASCII(s[i]) == lowerASCII(sub[0]) && strings.EqualFold(s[i:i+n], sub) {
			return true
		}
	}
	return false
}

func TestContainsFold_MatchesNaiveScan(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"a", "A", "b", "B", "k", "K", "\u212a", "s", "\u017f", "-", ".", "1", "é", "É", "\xff"}
	gen := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	for range 50_000 {
		s, sub := gen(rng.IntN(12)), gen(rng.IntN(4))
		if got, want := containsFold(s, sub), containsFoldNaive(s, sub); got != want {
			t.Fatalf("containsFold(%q, %q) = %v, want %v", s, sub, got, want)
		}
	}
}

func TestFilter_SubstringOfIPOnlyWhenItCanBeOne(t *testing.T) {
	t.Parallel()
	r := row("2001:db8::beef", classify.Botnet)
	r.Host = "mail.example.org"
	for sub, want := range map[string]bool{"DB8": true, ":DB8::BE": true, "EXAMPLE": true, "beefy": false, "db9": false} {
		if got := parseFilter(sub).match(r); got != want {
			t.Errorf("filter %q: %v, want %v", sub, got, want)
		}
	}
}
