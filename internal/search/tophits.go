package search

import "container/heap"

// topHits keeps the k best hits offered, in a heap whose root is the
// worst kept.
type topHits struct {
	t     *table
	order Sort
	k     int
	h     []scored
}

type scored struct {
	n     int
	score float64
}

// better reports whether a ranks before b: by score, or by year then
// date (documents missing either after those that have it), then by ID.
func (th *topHits) better(a, b scored) bool {
	t := th.t
	switch th.order {
	case SortRelevance:
		if a.score != b.score {
			return a.score > b.score
		}
	default:
		desc := th.order == SortNewest
		if c := cmpMissingLast(int(t.year[a.n]), int(t.year[b.n]), desc); c != 0 {
			return c < 0
		}
		if c := cmpMissingLast(int(t.date[a.n]), int(t.date[b.n]), desc); c != 0 {
			return c < 0
		}
	}
	return t.rank[a.n] < t.rank[b.n]
}

// cmpMissingLast orders x and y (0 is missing, and last either way).
func cmpMissingLast(x, y int, desc bool) int {
	switch {
	case x == y:
		return 0
	case x == 0:
		return 1
	case y == 0:
		return -1
	case (x < y) != desc:
		return -1
	}
	return 1
}

func (th *topHits) offer(n int, score float64) {
	if th.k == 0 {
		return
	}
	s := scored{n, score}
	if len(th.h) < th.k {
		heap.Push(th, s)
		return
	}
	if th.better(s, th.h[0]) {
		th.h[0] = s
		heap.Fix(th, 0)
	}
}

// sorted returns the kept hits, best first.
func (th *topHits) sorted() []scored {
	out := make([]scored, len(th.h))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(th).(scored)
	}
	return out
}

// heap.Interface, worst on top.
func (th *topHits) Len() int           { return len(th.h) }
func (th *topHits) Less(i, j int) bool { return th.better(th.h[j], th.h[i]) }
func (th *topHits) Swap(i, j int)      { th.h[i], th.h[j] = th.h[j], th.h[i] }
func (th *topHits) Push(x any)         { th.h = append(th.h, x.(scored)) }
func (th *topHits) Pop() any {
	x := th.h[len(th.h)-1]
	th.h = th.h[:len(th.h)-1]
	return x
}
