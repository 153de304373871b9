// Package synth generates deterministic county-news pages in the OCR layout
// of the real sample page, for scale tests and benchmarks: datelines,
// leads, initiative paragraphs opened by topic sentences, headlines after
// the body, lines wrapped at a per-article column width and column breaks
// (blank lines) inside sentences. Pages carry their date in front matter,
// spread over all counties of the gazetteer and the years 2015–2025.
//
// The running text is drawn from a vocabulary of real sentences (from the
// real news corpus in benchmarks, or the embedded sample page), so term
// frequencies stay realistic; topic sentences and headlines are built from
// the program taxonomy's keywords, so facets have realistic spread.
package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode/utf8"

	"countynews/corpus"
	"countynews/internal/text"
)

// Vocabulary is the text the generator draws on.
type Vocabulary struct {
	Sentences []string // complete sentences ending in 。！？
}

// NewVocabulary collects usable sentences from texts: 12 to 120 characters,
// ending a sentence, and free of anything that could read as page structure
// (datelines, bylines, subtitles) or break the layout (line breaks).
func NewVocabulary(texts []string) Vocabulary {
	var v Vocabulary
	seen := map[string]bool{}
	for _, t := range texts {
		for _, s := range splitSentences(text.CleanText(t)) {
			n := utf8.RuneCountInString(s)
			if n < 12 || n > 120 || seen[s] || strings.Contains(s, "本报") || strings.HasPrefix(s, "—") ||
				strings.HasPrefix(s, "■") || strings.ContainsAny(s, "\r\n\t\"") {
				continue
			}
			seen[s] = true
			v.Sentences = append(v.Sentences, s)
		}
	}
	return v
}

// splitSentences cuts text after each 。！？ (with closing quotes).
func splitSentences(text string) []string {
	var out []string
	start := 0
	rs := []rune(text)
	for i := 0; i < len(rs); i++ {
		if strings.ContainsRune("。！？", rs[i]) {
			j := i + 1
			for j < len(rs) && strings.ContainsRune("”’）", rs[j]) {
				j++
			}
			out = append(out, strings.TrimSpace(string(rs[start:j])))
			start, i = j, j-1
		}
	}
	return out
}

// Generator writes pages. It is deterministic: the same seed, vocabulary,
// gazetteer and taxonomy give the same pages byte for byte.
type Generator struct {
	rng      *rand.Rand
	vocab    Vocabulary
	counties []corpus.County
	keywords []string
	page     int
}

// New returns a generator.
func New(seed uint64, vocab Vocabulary, gaz *corpus.Gazetteer, tax *corpus.Taxonomy) (*Generator, error) {
	if len(vocab.Sentences) < 10 {
		return nil, fmt.Errorf("synth: vocabulary of %d sentences is too small", len(vocab.Sentences))
	}
	g := &Generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), vocab: vocab, counties: gaz.Counties}
	for _, p := range tax.Programs {
		g.keywords = append(g.keywords, p.Keywords...)
	}
	return g, nil
}

// Page is one generated page file.
type Page struct {
	Name       string // e.g. 2019/2019-03-14-000042.txt
	Data       []byte
	Articles   int
	Paragraphs int
}

var (
	verbs   = []string{"深化", "推进", "创新", "实施", "打造", "强化", "完善", "聚焦", "坚持", "健全", "拓展", "做实"}
	objects = []string{"工作机制", "服务体系", "示范品牌", "阵地建设", "队伍建设", "长效机制", "服务平台", "责任体系"}
	aims    = []string{"激发基层活力", "提升治理效能", "夯实组织基础", "服务群众生活", "推动工作落地", "凝聚发展合力"}
	surname = []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段")
	given   = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞建国新民晓东海波宁欣怡浩然子涵雨轩")
)

// Next generates the next page with about `paragraphs` paragraphs.
func (g *Generator) Next(paragraphs int) Page {
	g.page++
	year := 2015 + g.rng.IntN(11)
	month, day := 1+g.rng.IntN(12), 1+g.rng.IntN(28)
	date := fmt.Sprintf("%04d-%02d-%02d", year, month, day)
	var b strings.Builder
	fmt.Fprintf(&b, "---\ndate: %s\n---\n", date)
	p := Page{Name: fmt.Sprintf("%04d/%s-%06d.txt", year, date, g.page)}
	for p.Paragraphs < paragraphs {
		n := min(paragraphs-p.Paragraphs, 3+g.rng.IntN(5)) // lead + initiatives
		g.article(&b, n, year)
		p.Articles++
		p.Paragraphs += n
	}
	p.Data = []byte(b.String())
	return p
}

func (g *Generator) pick(xs []string) string { return xs[g.rng.IntN(len(xs))] }

func (g *Generator) name() string {
	n := string(surname[g.rng.IntN(len(surname))]) + string(given[g.rng.IntN(len(given))])
	if g.rng.IntN(2) == 0 {
		n += string(given[g.rng.IntN(len(given))])
	}
	return n
}

// sentences returns k vocabulary sentences joined.
func (g *Generator) sentences(k int) string {
	var s strings.Builder
	for range k {
		s.WriteString(g.pick(g.vocab.Sentences))
	}
	return s.String()
}

// article writes one article of n paragraphs: dateline and lead, then
// initiatives, then the headline.
func (g *Generator) article(b *strings.Builder, n, year int) {
	c := g.counties[g.rng.IntN(len(g.counties))]
	width := 17 + g.rng.IntN(11)
	reporters := []string{g.name()}
	if g.rng.IntN(2) == 0 {
		reporters = append(reporters, g.name())
	}
	kw := g.pick(g.keywords)
	lead := fmt.Sprintf("本报%s讯（通讯员 %s）%d年以来，%s围绕%s，%s", c.Short, strings.Join(reporters, " "), year, c.Name, kw, g.sentences(1+g.rng.IntN(2)))
	g.paragraph(b, lead, width)
	for range n - 1 {
		topic := g.pick(verbs) + "“" + g.pick(g.keywords) + "”" + g.pick(objects) + "，" + g.pick(aims) + "。"
		g.paragraph(b, topic+g.sentences(2+g.rng.IntN(5)), width)
	}
	head := c.Short + g.pick(verbs) + kw + g.pick(objects)
	if g.rng.IntN(2) == 0 {
		head += "\n" + g.pick(aims)
	}
	b.WriteString(head + "\n\n")
}

// paragraph wraps text at width characters and puts a column break after
// some lines that end inside a sentence.
func (g *Generator) paragraph(b *strings.Builder, text string, width int) {
	rs := []rune(text)
	for start := 0; start < len(rs); start += width {
		end := min(start+width, len(rs))
		b.WriteString(string(rs[start:end]))
		b.WriteByte('\n')
		if end < len(rs) && g.rng.IntN(12) == 0 && !strings.ContainsRune("。！？”", rs[end-1]) && rs[end] != ' ' {
			b.WriteByte('\n')
		}
	}
	b.WriteByte('\n')
}
