package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// xmlNode is a parsed XML element, for checking a feed against RFC 4287
// element by element.
type xmlNode struct {
	Name     xml.Name
	Attrs    []xml.Attr
	Children []*xmlNode
	Text     string
}

func (n *xmlNode) attr(name string) (string, bool) {
	for _, a := range n.Attrs {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value, true
		}
	}
	return "", false
}

// atom returns the children in the Atom namespace named local.
func (n *xmlNode) atom(local string) []*xmlNode {
	var out []*xmlNode
	for _, c := range n.Children {
		if c.Name.Space == atomNS && c.Name.Local == local {
			out = append(out, c)
		}
	}
	return out
}

// parseXML parses a whole document strictly (well-formed, one root, UTF-8
// declared) into nodes.
func parseXML(data []byte) (*xmlNode, error) {
	if !bytes.HasPrefix(data, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		return nil, fmt.Errorf("no UTF-8 XML declaration")
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	var stack []*xmlNode
	var root *xmlNode
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{Name: tk.Name, Attrs: tk.Attr}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, n)
			} else if root != nil {
				return nil, fmt.Errorf("a second root element %s", tk.Name.Local)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += string(tk)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("no root element")
	}
	return root, nil
}

// checkAtom checks a feed against the requirements (MUST) of RFC 4287 that
// apply to what it may contain, and the SHOULDs this server keeps (a self
// link, unique entry ids). It returns every violation found.
func checkAtom(data []byte) []string {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	root, err := parseXML(data)
	if err != nil {
		return []string{"not well-formed: " + err.Error()}
	}
	if root.Name.Space != atomNS || root.Name.Local != "feed" {
		return []string{fmt.Sprintf("root is {%s}%s, not atom:feed", root.Name.Space, root.Name.Local)}
	}
	iri := func(where, s string) {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil || u.Scheme == "" || (u.Opaque == "" && u.Host == "") {
			bad("%s: %q is not an absolute IRI (4.2.6)", where, s)
		}
	}
	date := func(where, s string) {
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			bad("%s: %q is not an RFC 3339 date-time (3.3)", where, s)
		}
	}
	text := func(where string, n *xmlNode) {
		typ, ok := n.attr("type")
		if ok && typ != "text" && typ != "html" && typ != "xhtml" {
			bad("%s: type %q (3.1.1)", where, typ)
		}
		if (!ok || typ == "text" || typ == "html") && len(n.Children) > 0 {
			bad("%s: a text construct of type %q holds elements (3.1.1.1)", where, typ)
		}
	}
	one := func(where string, n *xmlNode, local string) *xmlNode {
		got := n.atom(local)
		if len(got) != 1 {
			bad("%s: %d atom:%s elements, want exactly one (4.1.1/4.1.2)", where, len(got), local)
			return nil
		}
		return got[0]
	}
	links := func(where string, n *xmlNode) {
		alternates := map[string]int{}
		for _, l := range n.atom("link") {
			href, ok := l.attr("href")
			if !ok {
				bad("%s: link without href (4.2.7.1)", where)
			}
			iri(where+" link", href)
			if rel, _ := l.attr("rel"); rel == "" || rel == "alternate" {
				typ, _ := l.attr("type")
				lang, _ := l.attr("hreflang")
				alternates[typ+"|"+lang]++
			}
		}
		for k, n := range alternates {
			if n > 1 {
				bad("%s: %d alternate links of type/hreflang %s (4.1.1)", where, n, k)
			}
		}
	}
	feedAuthor := len(root.atom("author")) > 0
	for _, a := range root.atom("author") {
		if len(a.atom("name")) != 1 {
			bad("feed author: %d names (3.2.1)", len(a.atom("name")))
		}
	}
	if id := one("feed", root, "id"); id != nil {
		iri("feed id", id.Text)
	}
	if t := one("feed", root, "title"); t != nil {
		text("feed title", t)
	}
	if u := one("feed", root, "updated"); u != nil {
		date("feed updated", u.Text)
	}
	for _, s := range root.atom("subtitle") {
		text("feed subtitle", s)
	}
	links("feed", root)
	self := false
	for _, l := range root.atom("link") {
		if rel, _ := l.attr("rel"); rel == "self" {
			self = true
		}
	}
	if !self {
		bad("feed: no link rel=self (4.2.7.2 SHOULD)")
	}
	ids := map[string]bool{}
	for i, e := range root.atom("entry") {
		where := fmt.Sprintf("entry %d", i)
		if id := one(where, e, "id"); id != nil {
			iri(where+" id", id.Text)
			if ids[id.Text] {
				bad("%s: id %s repeated", where, id.Text)
			}
			ids[id.Text] = true
		}
		if t := one(where, e, "title"); t != nil {
			text(where+" title", t)
		}
		if u := one(where, e, "updated"); u != nil {
			date(where+" updated", u.Text)
		}
		if !feedAuthor && len(e.atom("author")) == 0 {
			bad("%s: no author, and the feed has none (4.1.1)", where)
		}
		contents := e.atom("content")
		if len(contents) > 1 || len(e.atom("summary")) > 1 {
			bad("%s: more than one content or summary (4.1.2)", where)
		}
		alternate := false
		for _, l := range e.atom("link") {
			if rel, _ := l.attr("rel"); rel == "" || rel == "alternate" {
				alternate = true
			}
		}
		if len(contents) == 0 && !alternate {
			bad("%s: neither content nor an alternate link (4.1.2)", where)
		}
		for _, c := range contents {
			text(where+" content", c)
		}
		for _, s := range e.atom("summary") {
			text(where+" summary", s)
		}
		for _, c := range e.atom("category") {
			if _, ok := c.attr("term"); !ok {
				bad("%s: category without term (4.2.2.1)", where)
			}
		}
		links(where, e)
	}
	return errs
}

// TestFeedAtom: /feed is an Atom feed that keeps RFC 4287's rules, of the
// newest matching paragraphs (the search's hits, newest first), each with
// its citation and a stable id (the same on the next request and in a
// feed of another search that finds it); the page links it.
func TestFeedAtom(t *testing.T) {
	e := datedServer(t)
	for _, params := range []url.Values{
		{"q": {"网格"}},
		{"q": {"红色物业"}, "county": {"梁山"}},
		{"date_from": {"2023-07-01"}, "size": {"5"}},
		{"q": {"没有这种说法"}},
		{"q": {"乡村振兴"}, "in": {"headline"}, "sort": {"oldest"}, "page": {"3"}},
	} {
		rec := fetch(e, http.MethodGet, "/feed?"+params.Encode(), "application/atom+xml", "")
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/atom+xml; charset=utf-8" {
			t.Fatalf("%v: %d %s", params, rec.Code, rec.Header().Get("Content-Type"))
		}
		for _, msg := range checkAtom(rec.Body.Bytes()) {
			t.Errorf("%v: %s", params, msg)
		}
		var f atomFeed
		if err := xml.Unmarshal(rec.Body.Bytes(), &f); err != nil {
			t.Fatal(err)
		}
		want := url.Values{}
		for k, v := range params {
			want[k] = v
		}
		want.Set("sort", "newest")
		want.Del("page")
		if want.Get("size") == "" {
			want.Set("size", "20")
		}
		res := doSearch(t, e, want)
		var got, wantIDs []string
		for _, en := range f.Entries {
			got = append(got, en.ID)
		}
		for _, h := range res.Hits {
			wantIDs = append(wantIDs, "http://example.com"+paragraphURL(h.ArticleID, h.ID))
			if !slices.ContainsFunc(f.Entries, func(en atomEntry) bool {
				return strings.HasSuffix(en.ID, "#p-"+h.ID) && en.Summary.Text == h.Citation && en.Content.Text == h.Text
			}) {
				t.Errorf("%v: no entry of %s with its citation and text", params, h.ID)
			}
		}
		if !slices.Equal(got, wantIDs) {
			t.Errorf("%v: entries %v, want the newest hits %v", params, got, wantIDs)
		}
		// Dated entries come newest first, each updated at its date;
		// undated ones (last) at the generation's build time.
		for i, h := range res.Hits {
			if h.Date != "" && i < len(f.Entries) && f.Entries[i].Updated != string(h.Date)+"T00:00:00+08:00" {
				t.Errorf("%v: entry %d dated %s is updated %s", params, i, h.Date, f.Entries[i].Updated)
			}
			if i > 0 && h.Date != "" && res.Hits[i-1].Date < h.Date {
				t.Errorf("%v: hit %d (%s) is newer than hit %d (%s)", params, i, h.Date, i-1, res.Hits[i-1].Date)
			}
		}
		again := fetch(e, http.MethodGet, "/feed?"+params.Encode(), "application/atom+xml", "")
		if again.Body.String() != rec.Body.String() {
			t.Errorf("%v: the feed changed between two requests", params)
		}
	}
	// An entry's id does not depend on the search it was found by.
	a := fetch(e, http.MethodGet, "/feed?q="+url.QueryEscape("网格")+"&size=100", "", "").Body.Bytes()
	b := fetch(e, http.MethodGet, "/feed?q="+url.QueryEscape("红色物业")+"&size=100", "", "").Body.Bytes()
	var fa, fb atomFeed
	if xml.Unmarshal(a, &fa) != nil || xml.Unmarshal(b, &fb) != nil || len(fb.Entries) == 0 {
		t.Fatal("feeds do not parse, or 红色物业 finds nothing")
	}
	for _, en := range fb.Entries {
		if !slices.ContainsFunc(fa.Entries, func(x atomEntry) bool { return x.ID == en.ID }) {
			t.Errorf("entry %s of the 红色物业 feed is not in the 网格 feed under the same id", en.ID)
		}
	}
	if code, _ := apiMessage(t, e, "/feed?size=101"); code != http.StatusBadRequest {
		t.Errorf("size=101: %d", code)
	}
}

// TestCheckAtom: the checker catches what it is meant to catch.
func TestCheckAtom(t *testing.T) {
	ok := `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>http://x/f</id><title type="text">t</title><updated>2023-07-01T00:00:00+08:00</updated><author><name>a</name></author><link rel="self" href="http://x/f"/>
<entry><id>http://x/1</id><title>e</title><updated>2023-07-01T00:00:00+08:00</updated><link href="http://x/1"/></entry></feed>`
	if errs := checkAtom([]byte(ok)); len(errs) > 0 {
		t.Fatalf("a valid feed: %v", errs)
	}
	for name, edit := range map[string][2]string{
		"no feed id":        {"<id>http://x/f</id>", ""},
		"relative id":       {"<id>http://x/1</id>", "<id>/1</id>"},
		"bad updated":       {"<updated>2023-07-01T00:00:00+08:00</updated><author>", "<updated>2023-07-01</updated><author>"},
		"no entry title":    {"<title>e</title>", ""},
		"no author":         {"<author><name>a</name></author>", ""},
		"no self link":      {`<link rel="self" href="http://x/f"/>`, ""},
		"no content, link":  {`<link href="http://x/1"/>`, ""},
		"not well-formed":   {"</feed>", ""},
		"other namespace":   {`xmlns="http://www.w3.org/2005/Atom"`, `xmlns="urn:x"`},
		"markup in text":    {`<title type="text">t</title>`, `<title type="text"><b>t</b></title>`},
		"two entry updated": {"<link href=\"http://x/1\"/>", "<link href=\"http://x/1\"/><updated>2023-07-01T00:00:00Z</updated>"},
	} {
		doc := strings.Replace(ok, edit[0], edit[1], 1)
		if doc == ok {
			t.Fatalf("%s: the edit changed nothing", name)
		}
		if errs := checkAtom([]byte(doc)); len(errs) == 0 {
			t.Errorf("%s: not caught", name)
		}
	}
}

// TestPageLinksFeedAndExport: the search page offers 下载 CSV and 订阅 for
// the search it shows (its query and filters, not its page), and
// announces the feed with <link rel="alternate">.
func TestPageLinksFeedAndExport(t *testing.T) {
	e := datedServer(t)
	r := okPage(t, e, "/?q="+url.QueryEscape("红色物业")+"&county="+url.QueryEscape("梁山")+"&date_from=2023-07-01&in=headline&page=2&size=2")
	want := url.Values{"q": {"红色物业"}, "county": {"梁山"}, "date_from": {"2023-07-01"}, "in": {"headline"}}
	var feed, export, alternate string
	for _, a := range findAll(r.doc, func(n *html.Node) bool { return n.DataAtom == atom.A || n.DataAtom == atom.Link }) {
		href := nodeAttr(a, "href")
		switch {
		case a.DataAtom == atom.Link && nodeAttr(a, "rel") == "alternate" && nodeAttr(a, "type") == "application/atom+xml":
			alternate = href
		case a.DataAtom == atom.A && nodeText(a) == "订阅":
			feed = href
		case a.DataAtom == atom.A && nodeText(a) == "下载 CSV":
			export = href
		}
	}
	for name, href := range map[string]string{"订阅": feed, "下载 CSV": export, "link rel=alternate": alternate} {
		u, err := url.Parse(href)
		if href == "" || err != nil {
			t.Errorf("%s: no link (%q)", name, href)
			continue
		}
		wantPath := "/feed"
		if name == "下载 CSV" {
			wantPath = "/api/export"
		}
		if u.Path != wantPath || !sameValues(u.Query(), want) {
			t.Errorf("%s links %s, want %s?%s", name, href, wantPath, want.Encode())
		}
	}
	if rec := fetch(e, http.MethodGet, export, "*/*", ""); rec.Code != http.StatusOK {
		t.Errorf("the export link answers %d", rec.Code)
	}
}
