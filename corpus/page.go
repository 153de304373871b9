package corpus

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"countynews/internal/text"
)

// Parser turns pages and JSONL exports into articles. It holds only
// read-only data and is safe for concurrent use.
type Parser struct {
	gaz *Gazetteer
	tax *Taxonomy
	now func() time.Time
}

// Options configure a Parser. Zero fields take the embedded defaults and
// the wall clock.
type Options struct {
	Gazetteer *Gazetteer
	Taxonomy  *Taxonomy
	// Now bounds inferred years: no year later than Now's is believed.
	Now func() time.Time
}

// NewParser returns a Parser with the given data files.
func NewParser(opt Options) (*Parser, error) {
	p := &Parser{gaz: opt.Gazetteer, tax: opt.Taxonomy, now: opt.Now}
	var err error
	if p.gaz == nil {
		if p.gaz, err = DefaultGazetteer(); err != nil {
			return nil, err
		}
	}
	if p.tax == nil {
		if p.tax, err = DefaultTaxonomy(); err != nil {
			return nil, err
		}
	}
	if p.now == nil {
		p.now = time.Now
	}
	return p, nil
}

// Gazetteer returns the parser's gazetteer.
func (p *Parser) Gazetteer() *Gazetteer { return p.gaz }

// Page is the parse of one page file: its articles in the order printed,
// and warnings about parts that were read with a fallback.
type Page struct {
	File     string
	Articles []Article
	Warnings []*Error
}

// ErrEmpty reports a page or export with no text at all.
var ErrEmpty = errors.New("no text")

var (
	// datelineRE matches a dateline at the start of a lead paragraph:
	// 本报金乡讯（通讯员 孙虎玉）, 本报讯（记者 …）, or 本报金乡讯 alone.
	datelineRE = regexp.MustCompile(`^\s*本报(\p{Han}{0,6})讯\s*(?:[（(]([^）)]{0,80})[）)])?`)
	// bylineRE matches a byline line: ■本报通讯员 刘儒静 李婷婷 韩凤丹.
	bylineRE = regexp.MustCompile(`^\s*[■□●]?\s*本报(?:通讯员|记者)\s*((?:\p{Han}{2,5}\s*)+)$`)
	// roleWords are the words a dateline puts before reporters' names.
	roleWords = []string{"特约通讯员", "本报记者", "见习记者", "特约记者", "通讯员", "实习生", "记者", "摄影"}
)

// block is a run of non-blank lines: text between two blank lines.
type block []item

func (b block) raw() string {
	var s strings.Builder
	for _, it := range b {
		s.WriteString(it.val)
	}
	return s.String()
}

// ParsePage parses one OCR'd page. A page the parser cannot read at all
// (binary data, invalid UTF-8, no text) returns an *Error naming the file
// and line; parts read with a fallback (a page with no dateline is read as
// one article; a missing headline is left empty) come back as warnings.
func (p *Parser) ParsePage(file string, data []byte) (*Page, error) {
	page := &Page{File: file}
	fail := func(line int, format string, args ...any) (*Page, error) {
		return nil, &Error{File: file, Line: line, Err: fmt.Errorf(format, args...)}
	}
	warn := func(line int, format string, args ...any) {
		page.Warnings = append(page.Warnings, &Error{File: file, Line: line, Err: fmt.Errorf(format, args...)})
	}

	var (
		date   Date
		year   int
		paper  string // front matter paper: (outlet)
		pageNo string // front matter page: (版次)
		blocks []block
		cur    block
	)
	for _, it := range lex(string(data)) {
		switch it.typ {
		case itemError:
			return fail(it.line, "%s", it.val)
		case itemMeta:
			k, v, _ := strings.Cut(it.val, ":")
			switch strings.ToLower(k) {
			case "date":
				d, y, err := ParseDate(v)
				if err != nil {
					return fail(it.line, "front matter: %v", err)
				}
				date, year = d, y
			case "paper":
				paper = text.CleanLine(v)
			case "page":
				pageNo = text.CleanLine(v)
			default:
				warn(it.line, "front matter key %q is not known and was ignored", clip(k, 20))
			}
		case itemBlank, itemEOF:
			if len(cur) > 0 {
				blocks = append(blocks, cur)
				cur = nil
			}
		default:
			cur = append(cur, it)
		}
	}
	if len(blocks) == 0 {
		return fail(0, "empty page: %w", ErrEmpty)
	}
	if year == 0 {
		date, year = p.pathDate(file)
	}

	// Cut the page into segments, one an article, at the blocks that open
	// with a confirmed dateline or byline.
	type segment struct {
		start  itemType // itemDateline, itemByline, or itemText for none
		blocks []block
	}
	var segs []segment
	for i, b := range blocks {
		start := itemText
		switch b[0].typ {
		case itemDateline:
			var look strings.Builder // the dateline may wrap over a column break
			for j := i; j < len(blocks) && j < i+3; j++ {
				look.WriteString(blocks[j].raw())
			}
			if datelineRE.MatchString(text.FoldWidth(look.String())) {
				start = itemDateline
			}
		case itemByline:
			if bylineRE.MatchString(text.FoldWidth(b[0].val)) {
				start = itemByline
			}
		}
		if start != itemText || len(segs) == 0 {
			segs = append(segs, segment{start: start})
		}
		segs[len(segs)-1].blocks = append(segs[len(segs)-1].blocks, b)
	}
	if segs[0].start == itemText {
		if len(segs) == 1 {
			warn(segs[0].blocks[0][0].line, "no dateline (本报…讯) or byline (■本报通讯员) on the page: read as one article")
		} else {
			warn(segs[0].blocks[0][0].line, "text before the first dateline: read as an article of its own")
		}
	}

	for _, s := range segs {
		a, ok := p.article(file, s.start, s.blocks, warn)
		if ok {
			page.Articles = append(page.Articles, a)
		}
	}
	if len(page.Articles) == 0 {
		return fail(blocks[0][0].line, "no article text on the page: %w", ErrEmpty)
	}

	// Date and year: from metadata, else the page's own dating phrases,
	// flagged as inferred (see textYear).
	inferred := false
	if year == 0 {
		var texts []string
		for _, a := range page.Articles {
			for _, para := range a.Paragraphs {
				texts = append(texts, para.Text)
			}
		}
		year = textYear(p.now().Year(), texts...)
		inferred = year > 0
	}
	for i := range page.Articles {
		page.Articles[i].Outlet, page.Articles[i].Page = paper, pageNo
		p.finish(&page.Articles[i], date, year, inferred, KindInitiative)
	}
	return page, nil
}

// article builds one article from its segment of blocks.
func (p *Parser) article(file string, start itemType, blocks []block, warn func(int, string, ...any)) (Article, bool) {
	a := Article{Source: Provenance{File: file, Lines: [2]int{blocks[0][0].line, last(blocks).line}}}

	if start == itemByline {
		by := blocks[0][0]
		a.Dateline = text.CleanLine(by.val)
		m := bylineRE.FindStringSubmatch(text.FoldWidth(by.val))
		a.Reporters = strings.Fields(m[1])
		if len(blocks[0]) > 1 { // the lead follows the byline without a blank line
			blocks = append([]block{blocks[0][1:]}, blocks[1:]...)
		} else {
			blocks = blocks[1:]
		}
	}

	// Join blocks into paragraphs: a blank line ends a paragraph only where
	// a sentence ends; elsewhere it is a column break inside a sentence.
	var paras [][]block
	var cur []block
	for _, b := range blocks {
		cur = append(cur, b)
		if endsSentence(b.raw()) {
			paras = append(paras, cur)
			cur = nil
		}
	}

	// What follows the last finished sentence is the headline, printed
	// after the body: a main title on one or two short lines, maybe a
	// subtitle line opening with ——. Longer unfinished text is a last
	// paragraph whose sentence end was lost.
	head := headlineSplit(cur)
	if head < len(cur) && head > 0 {
		warn(cur[0][0].line, "paragraph does not end a sentence before the headline")
	}
	if head > 0 {
		paras = append(paras, cur[:head])
	}
	headBlocks := cur[head:]
	if len(headBlocks) == 0 && len(paras) >= 2 && isExclaimedHeadline(lastParagraph(paras)) {
		headBlocks, paras = lastParagraph(paras), paras[:len(paras)-1]
	}
	var titles []string
	for _, b := range headBlocks {
		for _, it := range b {
			if t := text.CleanLine(it.val); it.typ == itemSubtitle {
				a.Subtitle = strings.TrimSpace(strings.TrimLeft(t, "—-"))
			} else {
				titles = append(titles, t)
			}
		}
	}
	a.Headline = strings.Join(titles, " ")
	if a.Headline == "" {
		warn(a.Source.Lines[1], "article has no headline after its body")
	}
	if len(paras) == 0 {
		warn(a.Source.Lines[0], "article has no paragraphs: skipped")
		return a, false
	}

	for i, pb := range paras {
		var sb strings.Builder
		for _, b := range pb {
			sb.WriteString(b.raw())
		}
		body := text.FoldWidth(sb.String())
		if i == 0 && start == itemDateline {
			if m := datelineRE.FindStringSubmatchIndex(body); m != nil {
				dl := body[:m[1]]
				a.Dateline = text.CleanLine(dl)
				if m[2] >= 0 {
					a.County = body[m[2]:m[3]]
				}
				if m[4] >= 0 {
					a.Reporters = reporters(body[m[4]:m[5]])
				}
				body = a.Dateline + text.CleanText(body[m[1]:])
			}
		} else {
			body = text.CleanText(body)
		}
		// A paragraph past MaxPageParagraph (a page without blank
		// lines, a runaway OCR) is cut at sentence ends like an export's
		// text, so that no document is unbounded; each piece keeps the
		// paragraph's lines.
		pieces := []string{body}
		if utf8.RuneCountInString(body) > MaxPageParagraph {
			pieces = packParagraphs(splitSentences(body), MaxPageParagraph)
		}
		for _, piece := range pieces {
			a.Paragraphs = append(a.Paragraphs, Paragraph{
				Position: len(a.Paragraphs),
				Text:     piece,
				Source:   Provenance{File: file, Lines: [2]int{pb[0][0].line, last(pb).line}},
			})
		}
	}
	return a, true
}

// MaxPageParagraph is the longest paragraph, in characters, read from a
// page: a longer one is cut at sentence ends (a sentence longer than this at
// a clause mark) into pieces of at most this many. Printed initiatives are
// far shorter; the bound keeps one bad file from making one huge document.
const MaxPageParagraph = 2000

// headlineSplit returns the index of the first block of the unfinished tail
// that belongs to the headline: at most three title lines of at most 40
// characters each (a subtitle line does not count), taken from the end.
func headlineSplit(tail []block) int {
	lines := 0
	for i := len(tail) - 1; i >= 0; i-- {
		for _, it := range tail[i] {
			if it.typ == itemSubtitle {
				continue
			}
			lines++
			if lines > 3 || utf8.RuneCountInString(text.CleanLine(it.val)) > 40 {
				return i + 1
			}
		}
	}
	return 0
}

// isExclaimedHeadline reports whether the last "paragraph" is really a
// headline that happens to end in ！ or ？: one block of at most three short
// lines.
func isExclaimedHeadline(bs []block) bool {
	if len(bs) != 1 || len(bs[0]) > 3 {
		return false
	}
	for _, it := range bs[0] {
		if utf8.RuneCountInString(text.CleanLine(it.val)) > 30 {
			return false
		}
	}
	t := strings.TrimRight(strings.TrimSpace(bs[0].raw()), closers)
	return strings.HasSuffix(t, "！") || strings.HasSuffix(t, "？")
}

// last returns the last line of the last block of bs.
func last(bs []block) item {
	b := bs[len(bs)-1]
	return b[len(b)-1]
}

// lastParagraph returns the blocks of the last paragraph of paras.
func lastParagraph(paras [][]block) []block { return paras[len(paras)-1] }

// reporters splits the name list of a dateline (通讯员 潘笛欢 孙畅畅) into
// names, dropping role words even when glued to a name (记者王森).
func reporters(s string) []string {
	out := []string{}
	for _, f := range strings.Fields(text.CleanLine(s)) {
		for _, r := range roleWords {
			f = strings.TrimPrefix(f, r)
		}
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// finish fills in what an article's paragraphs share: the county, the date
// or year, IDs, kinds (the lead, then body paragraphs of kind body), topics,
// programs and named initiatives.
func (p *Parser) finish(a *Article, date Date, year int, inferred bool, body Kind) {
	a.Date, a.Year, a.YearInferred = date, year, inferred
	var all strings.Builder
	texts := make([]string, len(a.Paragraphs))
	for i, para := range a.Paragraphs {
		texts[i] = para.Text
		all.WriteString(para.Text)
	}
	// County: the dateline names it; otherwise it is weighed from the
	// evidence of the headline, the lead and the rest (see evidence.go).
	c, ok := p.gaz.Lookup(a.County)
	if !ok {
		lead, rest := splitLead(strings.TrimPrefix(all.String(), a.Dateline))
		c, ok = p.gaz.Locate(a.Headline+" "+a.Subtitle, lead, rest)
	}
	if ok {
		a.County, a.CountyName = c.Short, c.Name
	} else if a.County != "" {
		a.CountyName = a.County // a place outside the gazetteer, kept as printed
	}
	if a.Reporters == nil {
		a.Reporters = []string{}
	}
	if a.ID == "" {
		a.ID = articleID("", a.Headline, a.Subtitle, texts)
	}
	// Derived after the ID, so that an article's ID does not depend on it.
	if a.Headline == "" && len(texts) > 0 {
		a.Headline, a.HeadlineDerived = derivedHeadline(strings.TrimPrefix(texts[0], a.Dateline)), true
	}
	for i := range a.Paragraphs {
		para := &a.Paragraphs[i]
		para.ID = paragraphID(a.ID, i)
		para.ArticleID = a.ID
		para.Kind = KindLead
		if i > 0 {
			para.Kind = body
			if body == KindInitiative {
				para.Topic = topicOf(para.Text)
			}
		}
		para.Headline, para.Subtitle, para.HeadlineDerived = a.Headline, a.Subtitle, a.HeadlineDerived
		para.County, para.CountyName = a.County, a.CountyName
		para.Year, para.YearInferred, para.Date = a.Year, a.YearInferred, a.Date
		para.Programs = p.tax.Match(para.Text, a.Headline, a.Subtitle)
		para.Initiatives = initiativesOf(para.Text)
		para.Reporters = a.Reporters
		para.Dateline = a.Dateline
		para.Outlet, para.Page = a.Outlet, a.Page
	}
}
