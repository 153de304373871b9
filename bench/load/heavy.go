package load

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// HeavyQueries are the most expensive requests known (issue 13): ORs of the
// commonest single characters, as many as a query may hold, on the search
// API, the comparison page and the facets; and similar initiatives of
// random paragraphs.
func HeavyQueries(paragraphIDs []string, rng *rand.Rand) []string {
	common := []rune("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经")
	var out []string
	for range 20 {
		rs := slices.Clone(common)
		rng.Shuffle(len(rs), func(i, j int) { rs[i], rs[j] = rs[j], rs[i] })
		terms := make([]string, 24) // query.MaxTerms
		for i := range terms {
			terms[i] = string(rs[i])
		}
		q := url.QueryEscape(strings.Join(terms, " OR "))
		out = append(out, "/api/search?q="+q, "/compare?q="+q, "/api/search?size=100&q="+q)
	}
	for range 20 {
		if len(paragraphIDs) > 0 {
			out = append(out, "/api/paragraphs/"+paragraphIDs[rng.IntN(len(paragraphIDs))]+"/similar?scope=all&size=50")
		}
	}
	return out
}

// MixReport is the outcome of RunHeavyMix.
type MixReport struct {
	Simple, Heavy           int
	SimpleP50, SimpleP99    time.Duration
	SimpleMax               time.Duration
	SimpleStatus, HeavyStat map[int]int
}

func (r MixReport) String() string {
	return fmt.Sprintf("simple searches: %d, p50 %v, p99 %v, max %v, statuses %v; expensive requests: %d, statuses %v",
		r.Simple, r.SimpleP50.Round(10*time.Microsecond), r.SimpleP99.Round(10*time.Microsecond), r.SimpleMax.Round(time.Millisecond),
		r.SimpleStatus, r.Heavy, r.HeavyStat)
}

// RunHeavyMix sends heavy requests from heavyClients clients while
// simpleClients clients send the simple searches of w (one phrase, no
// filters), for d, and reports the simple searches' latency and every
// status seen.
func RunHeavyMix(ctx context.Context, c *http.Client, base string, w *Workload, heavy []string, heavyClients, simpleClients int, d time.Duration) (MixReport, error) {
	if err := checkLoopback(base); err != nil {
		return MixReport{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	rep := MixReport{SimpleStatus: map[int]int{}, HeavyStat: map[int]int{}}
	var mu sync.Mutex
	var simple []time.Duration
	var wg sync.WaitGroup
	for i := range heavyClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 99))
			for ctx.Err() == nil {
				status, _, err := fetch(ctx, c, base+heavy[rng.IntN(len(heavy))])
				if ctx.Err() != nil {
					return
				}
				if err != nil {
					status = -1
				}
				mu.Lock()
				rep.Heavy++
				rep.HeavyStat[status]++
				mu.Unlock()
			}
		}()
	}
	time.Sleep(time.Second) // the heavy clients first fill their lane
	for i := range simpleClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			for ctx.Err() == nil {
				target := "/api/search?q=" + url.QueryEscape(w.phrase(rng))
				t0 := time.Now()
				status, _, err := fetch(ctx, c, base+target)
				took := time.Since(t0)
				if ctx.Err() != nil {
					return
				}
				if err != nil {
					status = -1
				}
				mu.Lock()
				rep.Simple++
				rep.SimpleStatus[status]++
				simple = append(simple, took)
				mu.Unlock()
				time.Sleep(20 * time.Millisecond) // a person's pace, not a flood
			}
		}()
	}
	wg.Wait()
	if len(simple) == 0 {
		return rep, fmt.Errorf("no simple search completed")
	}
	slices.Sort(simple)
	rep.SimpleP50, rep.SimpleP99, rep.SimpleMax = quantile(simple, .5), quantile(simple, .99), simple[len(simple)-1]
	return rep, nil
}
