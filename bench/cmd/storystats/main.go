// Command storystats measures the story grouping of package
// internal/story on a corpus: how many articles fall into groups of
// syndicated copies at each SimHash distance, the largest groups, and a
// sample of pairs at each distance with the exact Jaccard similarity of
// their shingle sets, to be checked by hand.
//
//	go run ./bench/cmd/storystats -sample 10 ../shared/corpus/real/news-2023.jsonl.gz
//
// The threshold story.MaxDistance was chosen from its output (README).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"time"
	"unicode"

	"countynews/corpus"
	"countynews/internal/ingest"
	"countynews/internal/story"
	"countynews/internal/text"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "storystats:", err)
		os.Exit(1)
	}
}

type article struct {
	id, head, text string
	date           string
	sig            story.Signature
	sh             map[string]bool
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("storystats", flag.ContinueOnError)
	sample := fs.Int("sample", 10, "pairs shown per distance")
	maxD := fs.Int("max", 8, "largest distance reported")
	show := fs.Int("show", 0, "print this many groups (members' heads) at story.MaxDistance")
	pairs := fs.String("ids", "", "comma-separated article IDs: print their texts, Jaccard and distance to the first")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ins, _, err := ingest.Inputs(fs.Args()...)
	if err != nil {
		return err
	}
	p, err := corpus.NewParser(corpus.Options{})
	if err != nil {
		return err
	}
	var arts []article
	for _, in := range ins {
		if _, err := ingest.Read(ctx, p, in, func(a corpus.Article) error {
			texts := make([]string, len(a.Paragraphs))
			for i, para := range a.Paragraphs {
				texts[i] = para.Text
			}
			all := ""
			for _, t := range texts {
				all += t
			}
			arts = append(arts, article{id: a.ID, head: a.Headline, date: string(a.Date), text: all, sig: story.Sign(texts...)})
			return nil
		}); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "%d articles\n", len(arts))
	if *pairs != "" {
		var first *article
		for _, id := range strings.Split(*pairs, ",") {
			for i := range arts {
				if arts[i].id == id {
					if first == nil {
						first = &arts[i]
					}
					fmt.Fprintf(out, "%s J=%.2f d=%d %s\n  %s\n", id, jaccard(first, &arts[i]), story.Distance(first.sig, arts[i].sig), arts[i].head, arts[i].text)
				}
			}
		}
		return nil
	}
	// Pairs by distance, brute force (the library's grouping uses blocks).
	type pair struct{ a, b int }
	byDist := make([][]pair, *maxD+1)
	for i := range arts {
		if arts[i].sig == 0 {
			continue
		}
		for j := i + 1; j < len(arts); j++ {
			if arts[j].sig == 0 {
				continue
			}
			if d := story.Distance(arts[i].sig, arts[j].sig); d <= *maxD {
				byDist[d] = append(byDist[d], pair{i, j})
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	fmt.Fprintf(out, "distance\tpairs\tgrouped articles (≤d)\tgroups (≤d)\tlargest\tsample Jaccard≥0.5\n")
	for d := 0; d <= *maxD; d++ {
		ms := make([]story.Member, len(arts))
		for i, a := range arts {
			ms[i] = story.Member{ID: a.id, Sig: a.sig}
		}
		ids := story.GroupWithin(ms, d)
		size := map[string]int{}
		for _, s := range ids {
			size[s]++
		}
		grouped, groups, largest := 0, 0, 0
		for _, n := range size {
			if n > 1 {
				grouped += n
				groups++
				largest = max(largest, n)
			}
		}
		ps := byDist[d]
		rng.Shuffle(len(ps), func(i, j int) { ps[i], ps[j] = ps[j], ps[i] })
		ok, n := 0, 0
		for _, pr := range ps[:min(len(ps), 200)] {
			n++
			if jaccard(&arts[pr.a], &arts[pr.b]) >= 0.5 {
				ok++
			}
		}
		fmt.Fprintf(out, "%d\t%d\t%d\t%d\t%d\t%d/%d\n", d, len(ps), grouped, groups, largest, ok, n)
	}
	for d := 0; d <= *maxD; d++ {
		ps := byDist[d]
		fmt.Fprintf(out, "\n## distance %d: %d pairs\n", d, len(ps))
		for _, pr := range ps[:min(len(ps), *sample)] {
			a, b := &arts[pr.a], &arts[pr.b]
			fmt.Fprintf(out, "J=%.2f\n  A %s | %s | %s\n  B %s | %s | %s\n", jaccard(a, b), a.id, a.head, head(a.text), b.id, b.head, head(b.text))
		}
	}
	{
		// Copies of one story are printed within days of each other;
		// a group spanning weeks is a series of template reports.
		ms := make([]story.Member, len(arts))
		for i, a := range arts {
			ms[i] = story.Member{ID: a.id, Sig: a.sig}
		}
		dates := map[string][]string{}
		size := map[string]int{}
		for i, s := range story.Group(ms) {
			size[s]++
			if arts[i].date != "" {
				dates[s] = append(dates[s], arts[i].date)
			}
		}
		var sameDay, within3, longer, undated int
		for s, n := range size {
			if n < 2 {
				continue
			}
			ds := dates[s]
			if len(ds) < 2 {
				undated++
				continue
			}
			slices.Sort(ds)
			lo, _ := time.Parse(time.DateOnly, ds[0])
			hi, _ := time.Parse(time.DateOnly, ds[len(ds)-1])
			switch days := hi.Sub(lo).Hours() / 24; {
			case days == 0:
				sameDay++
			case days <= 3:
				within3++
			default:
				longer++
			}
		}
		fmt.Fprintf(out, "\ngroups at MaxDistance %d by date span of their dated members: same day %d, 1-3 days %d, more %d, fewer than two dated %d\n",
			story.MaxDistance, sameDay, within3, longer, undated)
	}
	if *show > 0 {
		ms := make([]story.Member, len(arts))
		for i, a := range arts {
			ms[i] = story.Member{ID: a.id, Sig: a.sig}
		}
		ids := story.Group(ms)
		members := map[string][]int{}
		for i, s := range ids {
			members[s] = append(members[s], i)
		}
		keys := []string{}
		for k, v := range members {
			if len(v) > 1 {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		for _, k := range keys[:min(len(keys), *show)] {
			fmt.Fprintf(out, "\n# story %s (%d)\n", k, len(members[k]))
			first := &arts[members[k][0]]
			for _, i := range members[k] {
				fmt.Fprintf(out, "  %s J=%.2f d=%d | %s | %s\n", arts[i].id, jaccard(first, &arts[i]), story.Distance(first.sig, arts[i].sig), arts[i].head, middle(arts[i].text))
			}
		}
	}
	return nil
}

// middle is a piece of the text away from its start, where copies differ
// least by their outlet's prefix.
func middle(s string) string {
	r := []rune(s)
	lo := len(r) / 2
	return string(r[lo:min(len(r), lo+60)])
}

func head(s string) string {
	r := []rune(s)
	return string(r[:min(len(r), 70)])
}

func shingles(a *article) map[string]bool {
	if a.sh != nil {
		return a.sh
	}
	var rs []rune
	for _, r := range text.FoldWidth(a.text) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			rs = append(rs, unicode.ToLower(r))
		}
	}
	a.sh = map[string]bool{}
	for i := 0; i+story.Shingle <= len(rs); i++ {
		a.sh[string(rs[i:i+story.Shingle])] = true
	}
	return a.sh
}

func jaccard(a, b *article) float64 {
	x, y := shingles(a), shingles(b)
	in := 0
	for s := range x {
		if y[s] {
			in++
		}
	}
	u := len(x) + len(y) - in
	if u == 0 {
		return 0
	}
	return float64(in) / float64(u)
}
