package demo

import (
	"math"
	"math/bits"
)

// rng is wyrand: a tiny, fast generator whose output sequence is fixed by this file alone, so
// the generator's bytes cannot change when the standard library's algorithms do.
type rng struct{ s uint64 }

func newRNG(seed int64) rng {
	r := rng{s: uint64(seed) ^ 0x9e3779b97f4a7c15}
	r.next()
	return r
}

func (r *rng) next() uint64 {
	r.s += 0xa0761d6478bd642f
	hi, lo := bits.Mul64(r.s, r.s^0xe7037ed1a0b428db)
	return hi ^ lo
}

// intn returns a number in [0, n) for 0 < n < 2^32 (Lemire's multiply-shift, without the
// rejection step: the bias of at most n/2^32 does not matter for log traffic).
func (r *rng) intn(n int) int {
	return int(((r.next() >> 32) * uint64(n)) >> 32)
}

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// float returns a number in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.float() < p }

// exp returns an exponentially distributed number with mean about 1, from a 1024-step table of
// quantiles: math.Log per line would cost a sixth of the generator's time, and log timestamps
// need no finer resolution.
func (r *rng) exp() float64 { return expTable[r.next()>>54] }

var expTable = func() (t [1024]float64) {
	for i := range t {
		t[i] = -math.Log(1 - (float64(i)+0.5)/float64(len(t)))
	}
	return t
}()

// powerLaw is a power-law distribution of ranks in [0, n): P(rank k) is roughly proportional
// to (k+1)^-alpha, drawn from the inverse CDF of the continuous power law on [1, n+1). Rank 0
// is the busiest member of a pool; with alpha ≈ 1.2 over a few thousand members the top few
// ranks take a large share and most members are drawn only a handful of times, the heavy tail
// real attack traffic has.
type powerLaw struct {
	n       int
	alpha   float64
	c, invE float64 // (n+1)^(1-alpha) - 1 and 1/(1-alpha), cached: math.Pow is costly
	logN1   float64 // ln(n+1), for alpha == 1
}

func newPowerLaw(n int, alpha float64) powerLaw {
	p := powerLaw{n: n, alpha: alpha, logN1: math.Log(float64(n + 1))}
	if alpha != 1 {
		e := 1 - alpha
		p.c = math.Pow(float64(n+1), e) - 1
		p.invE = 1 / e
	}
	return p
}

// draw returns a rank.
func (p *powerLaw) draw(r *rng) int {
	if p.n <= 1 {
		return 0
	}
	u := r.float()
	var x float64
	if p.alpha == 1 {
		x = math.Exp(u * p.logN1)
	} else {
		x = math.Pow(1+u*p.c, p.invE)
	}
	k := int(x) - 1
	return min(max(k, 0), p.n-1)
}

// pickStr returns one element of list.
func (r *rng) pickStr(list []string) string { return list[r.intn(len(list))] }
