package main

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"countynews/corpus"
	"countynews/internal/search"
)

// The feed of a search: GET /feed takes the search parameters and answers
// an Atom feed (RFC 4287) of the newest matching paragraphs, so that a
// feed reader alerts a journalist to new coverage of a search.
//
// An entry's id is the paragraph's URL in its article view: paragraph IDs
// come from the article's content, so the id is the same in every
// generation and on every machine behind the same address, and a reader
// shows each paragraph once. Its updated time is the publication date
// (midnight, China Standard Time, as the papers date their issues);
// undated paragraphs take the time their generation was built, the best
// known time they appeared.

// Bounds of a feed.
const (
	defaultFeedSize = 20
	maxFeedSize     = 100
)

const atomNS = "http://www.w3.org/2005/Atom"

// chinaTime is UTC+8, the papers' time zone (fixed: no daylight saving).
var chinaTime = time.FixedZone("CST", 8*3600)

type atomFeed struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang     string      `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID       string      `xml:"id"`
	Title    atomText    `xml:"title"`
	Subtitle atomText    `xml:"subtitle"`
	Updated  string      `xml:"updated"`
	Links    []atomLink  `xml:"link"`
	Author   atomPerson  `xml:"author"`
	Gen      string      `xml:"generator"`
	Entries  []atomEntry `xml:"entry"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Updated    string         `xml:"updated"`
	Links      []atomLink     `xml:"link"`
	Categories []atomCategory `xml:"category"`
	Summary    atomText       `xml:"summary"`
	Content    atomText       `xml:"content"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

// builtAt is what an index can tell of its generation's build time.
type builtAt interface{ Manifest() search.Manifest }

// feed handles GET /feed.
func (a *api) feed(c echo.Context) error {
	v := c.QueryParams()
	p, err := bindSearch(v)
	if err != nil {
		return err
	}
	if p.Size, err = intValue(v, "size", defaultFeedSize, 1, maxFeedSize); err != nil {
		return err
	}
	p.Page, p.Sort = 1, "newest"
	ix, release := a.index()
	defer release()
	r := p.request()
	r.Facets, r.Highlight = false, false
	res, err := ix.Search(c.Request().Context(), r)
	if err != nil {
		return err
	}
	built := time.Unix(0, 0).UTC()
	if m, ok := ix.(builtAt); ok {
		built = m.Manifest().BuiltAt
	}

	base := c.Scheme() + "://" + c.Request().Host
	st := pageState{p: p}
	self := base + feedURL(st)
	title := "县域新闻检索：" + searchLabel(p)
	f := atomFeed{
		Lang: "zh-CN", ID: self,
		Title:    atomText{Type: "text", Text: title},
		Subtitle: atomText{Type: "text", Text: "最新的符合条件的段落，每条附引用（标题、日期、来源文件和行号）"},
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: self},
			{Rel: "alternate", Type: "text/html", Href: base + st.url("/", feedState)},
		},
		Author: atomPerson{Name: "县域新闻检索"},
		Gen:    "countynews searchd",
	}
	newest := built
	if len(res.Hits) > 0 {
		newest = time.Time{}
	}
	for _, h := range res.Hits {
		e := feedEntry(base, h.Paragraph, built)
		if t, _ := time.Parse(time.RFC3339, e.Updated); t.After(newest) {
			newest = t
		}
		f.Entries = append(f.Entries, e)
	}
	f.Updated = newest.In(chinaTime).Format(time.RFC3339)

	out, err := xml.MarshalIndent(f, "", " ")
	if err != nil {
		return err
	}
	body := append([]byte(xml.Header), out...)
	return c.Blob(http.StatusOK, "application/atom+xml; charset=utf-8", append(body, '\n'))
}

// feedEntry is a paragraph as an Atom entry.
func feedEntry(base string, p corpus.Paragraph, built time.Time) atomEntry {
	link := base + paragraphURL(p.ArticleID, p.ID)
	updated := built.In(chinaTime)
	if t, err := time.ParseInLocation("2006-01-02", string(p.Date), chinaTime); err == nil {
		updated = t
	}
	// The headline names the article, the topic the paragraph's
	// initiative: several entries of one article differ by their topic.
	var parts []string
	for _, s := range []string{p.Headline, clipRunes(p.Topic, 40)} {
		if s != "" && !slices.Contains(parts, s) {
			parts = append(parts, s)
		}
	}
	title := strings.Join(parts, " · ")
	if title == "" {
		title = "（无标题）"
	}
	e := atomEntry{
		ID: link, Title: atomText{Type: "text", Text: title},
		Updated: updated.Format(time.RFC3339),
		Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: link}},
		Summary: atomText{Type: "text", Text: p.Citation()},
		Content: atomText{Type: "text", Text: p.Text},
	}
	if p.County != "" {
		e.Categories = append(e.Categories, atomCategory{Term: p.County, Label: p.CountyName})
	}
	for _, pr := range p.Programs {
		e.Categories = append(e.Categories, atomCategory{Term: pr})
	}
	return e
}

// feedURL is the feed of the search st shows: its filters and query, not
// its page, sort or page size.
func feedURL(st pageState) string {
	return st.url("/feed", feedState)
}

// feedState leaves out of a feed's URL what a feed ignores: the sort and
// the page size.
func feedState(p *searchParams) { p.sortSet, p.Size = false, defaultSize }

// paragraphURL is a paragraph's place in its article view, without any
// search state: the stable address an entry or an export row gives.
func paragraphURL(articleID, paragraphID string) string {
	return articleURL(newPageState(searchParams{Page: 1, Size: defaultSize}), articleID, paragraphID)
}

// searchLabel names a search in a feed's title: the query (or 全部段落)
// and its filters.
func searchLabel(p searchParams) string {
	label := "全部段落"
	if p.Q != "" {
		label = "“" + p.Q + "”"
	}
	var fs []string
	fs = append(fs, p.Counties...)
	fs = append(fs, p.Programs...)
	for _, y := range p.Years {
		fs = append(fs, strconv.Itoa(y)+"年")
	}
	if p.YearFrom > 0 || p.YearTo > 0 {
		fs = append(fs, yearSpan(p.YearFrom)+"至"+yearSpan(p.YearTo)+"年")
	}
	if p.In == "headline" {
		fs = append(fs, "只搜标题")
	}
	if p.DateFrom != "" || p.DateTo != "" {
		fs = append(fs, string(p.DateFrom)+"至"+string(p.DateTo))
	}
	if len(fs) > 0 {
		label += "（" + strings.Join(fs, "，") + "）"
	}
	return label
}

func yearSpan(y int) string {
	if y == 0 {
		return ""
	}
	return strconv.Itoa(y)
}
