package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"countynews/internal/ingest"
)

// storiesServer serves an index of testdata/stories.jsonl (one story
// printed by three outlets, and another article) and of the sample page
// with paper:, page: and date: front matter, indexed from a corpus folder
// so that sources are named relative to it.
func storiesServer(t *testing.T) (e *echo.Echo, corpusDir string) {
	t.Helper()
	root := t.TempDir()
	corpusDir = filepath.Join(root, "corpus")
	for _, d := range []string{"real", "pages"} {
		if err := os.MkdirAll(filepath.Join(corpusDir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile("testdata/stories.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile("../corpus/pages/000_cab5e3eb326b2879.txt")
	if err != nil {
		t.Fatal(err)
	}
	page = append([]byte("---\ndate: 2021-07-05\npaper: 济宁日报\npage: 6\n---\n"), page...)
	if err := os.WriteFile(filepath.Join(corpusDir, "real", "news.jsonl"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(corpusDir, "pages", "jnrb_20210705_06.txt"), page, 0o644); err != nil {
		t.Fatal(err)
	}
	index := filepath.Join(root, "index")
	if _, err := ingest.Run(context.Background(), ingest.Options{Index: index, Paths: []string{corpusDir}}); err != nil {
		t.Fatal(err)
	}
	h, err := newHolderWith(context.Background(), index, slog.New(slog.DiscardHandler), loadedWords(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.close() })
	return newServer(config{Timeout: 5 * time.Second, Reload: time.Hour}, h, slog.New(slog.DiscardHandler)), corpusDir
}

// TestStoriesAPI checks collapsing and citations through the API: the
// story's three printings are one hit with two copies under
// collapse=story, three with one story_id without collapsing; totals
// stay paragraph counts; every citation names the outlet, the date and
// the source relative to the corpus folder; and the responses match the
// OpenAPI document.
func TestStoriesAPI(t *testing.T) {
	e, corpusDir := storiesServer(t)
	q := "防汛抗旱指挥部发布通告"
	all := doSearch(t, e, url.Values{"q": {q}})
	if all.Total != 3 || all.Groups != 3 || len(all.Hits) != 3 {
		t.Fatalf("collapse=none: total %d groups %d hits %d, want 3 3 3", all.Total, all.Groups, len(all.Hits))
	}
	outlets := map[string]bool{}
	for _, h := range all.Hits {
		if h.StoryID != all.Hits[0].StoryID || h.StoryID == "" {
			t.Errorf("hit %s in story %q, the first in %q", h.ID, h.StoryID, all.Hits[0].StoryID)
		}
		outlets[h.Outlet] = true
		if h.Others != 0 || len(h.Copies) != 0 {
			t.Errorf("uncollapsed hit %s has others %d copies %d", h.ID, h.Others, len(h.Copies))
		}
		if strings.Contains(h.Citation, corpusDir) || !strings.Contains(h.Citation, "。来源：real/news.jsonl 第") ||
			!strings.Contains(h.Citation, h.Outlet+"，2023年8月") {
			t.Errorf("citation %q: want the outlet, the date and the source relative to the corpus", h.Citation)
		}
	}
	if len(outlets) != 3 {
		t.Errorf("outlets %v, want three", outlets)
	}
	story := doSearch(t, e, url.Values{"q": {q}, "collapse": {"story"}})
	if story.Total != 3 || story.Groups != 1 || len(story.Hits) != 1 {
		t.Fatalf("collapse=story: total %d groups %d hits %d, want 3 1 1", story.Total, story.Groups, len(story.Hits))
	}
	best := story.Hits[0]
	if best.ID != all.Hits[0].ID || best.Others != 2 || len(best.Copies) != 2 {
		t.Fatalf("collapse=story: hit %s others %d copies %+v; want the best paragraph %s with two copies", best.ID, best.Others, best.Copies, all.Hits[0].ID)
	}
	for i, c := range best.Copies {
		if c.ID != all.Hits[i+1].ID || c.Outlet != all.Hits[i+1].Outlet || c.Citation != all.Hits[i+1].Citation {
			t.Errorf("copy %d %+v, want the hit %s of %s", i, c, all.Hits[i+1].ID, all.Hits[i+1].Outlet)
		}
	}
	if facetCount(story.Facets.Year, "2023") != 3 {
		t.Errorf("year facet under collapse=story: %v, want 3 paragraphs of 2023", story.Facets.Year)
	}
	article := doSearch(t, e, url.Values{"q": {q}, "collapse": {"article"}})
	if article.Total != 3 || article.Groups != 3 || len(article.Hits) != 3 {
		t.Errorf("collapse=article: total %d groups %d hits %d", article.Total, article.Groups, len(article.Hits))
	}
	var bad errorBody
	if code := get(t, e, "/api/search?collapse=all", &bad); code != http.StatusBadRequest || bad.Error.Code != codeInvalidCollapse {
		t.Errorf("collapse=all: %d %+v", code, bad)
	}

	// The same citation from the paragraph and the article.
	var para paragraphJSON
	get(t, e, "/api/paragraphs/"+best.ID, &para)
	if para.Citation != best.Citation || para.StoryID != best.StoryID {
		t.Errorf("paragraph citation %q story %q, the hit's %q %q", para.Citation, para.StoryID, best.Citation, best.StoryID)
	}
	var art articleJSON
	get(t, e, "/api/articles/"+best.ArticleID, &art)
	if art.StoryID != best.StoryID || art.Outlet != best.Outlet || !strings.Contains(art.Citation, "。来源：real/news.jsonl 第") || len(art.Paragraphs) == 0 ||
		art.Paragraphs[0].Citation == "" {
		t.Errorf("article story %q outlet %q citation %q", art.StoryID, art.Outlet, art.Citation)
	}

	// The page's paper: and page: front matter reach the citation.
	sample := doSearch(t, e, url.Values{"q": {"红色物业"}})
	if len(sample.Hits) == 0 || !strings.Contains(sample.Hits[0].Citation, "》，济宁日报，2021年7月5日，第6版。来源：pages/jnrb_20210705_06.txt 第") {
		t.Errorf("page citation: hits %+v", sample.Hits)
	}

	// An export is every paragraph, also from a collapsed list.
	req := httptest.NewRequest(http.MethodGet, "/api/export?format=jsonl&collapse=story&q="+url.QueryEscape(q), nil)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Header().Get("X-Export-Count") != "3" || strings.Count(rec.Body.String(), "\n") != 3 {
		t.Errorf("export of a collapsed list: %d, %s rows, body %d lines", rec.Code, rec.Header().Get("X-Export-Count"), strings.Count(rec.Body.String(), "\n"))
	}

	router := openAPIRouter(t, e)
	for _, target := range []string{
		"/api/search?collapse=story&q=" + url.QueryEscape(q),
		"/api/search?collapse=article&q=" + url.QueryEscape(q),
		"/api/paragraphs/" + best.ID,
		"/api/articles/" + best.ArticleID,
	} {
		t.Run(target, func(t *testing.T) { validateResponse(t, e, router, target) })
	}
}

// TestStoriesPage checks the page's story cards: one card for the three
// printings with 另有 2 家媒体转载 and links to the copies, a note that
// counts are paragraphs, and a copy button with the API's citation.
func TestStoriesPage(t *testing.T) {
	e, _ := storiesServer(t)
	q := "防汛抗旱指挥部发布通告"
	api := doSearch(t, e, url.Values{"q": {q}, "collapse": {"story"}})
	r := okPage(t, e, "/?q="+url.QueryEscape(q))
	cards := findByClass(r.doc, "card")
	if len(cards) != 1 {
		t.Fatalf("%d cards, want one for the story", len(cards))
	}
	others := findByClass(cards[0], "others")
	if len(others) != 1 || !strings.HasPrefix(nodeText(others[0]), "另有 2 家媒体转载") {
		t.Errorf("card says %q, want 另有 2 家媒体转载", nodeText(cards[0]))
	}
	links := linkURLs(t, findByClass(cards[0], "copies")[0])
	if len(links) != 2 {
		t.Fatalf("%d links to the copies, want 2", len(links))
	}
	for i, u := range links {
		if u.Path != "/articles/"+api.Hits[0].Copies[i].ArticleID || u.Query().Get("hl") != api.Hits[0].Copies[i].ID {
			t.Errorf("copy link %s, want the article of %s", u, api.Hits[0].Copies[i].ID)
		}
	}
	if btn := findByClass(cards[0], "copy"); len(btn) != 1 || nodeAttr(btn[0], "data-copy") != api.Hits[0].Citation {
		t.Errorf("copy button does not copy the API's citation %q", api.Hits[0].Citation)
	}
	tally := nodeText(findByClass(r.doc, "tally")[0])
	if !strings.Contains(tally, "共 3 条段落，合并为 1 篇报道") || len(findByClass(r.doc, "tally-note")) != 1 {
		t.Errorf("summary %q: want the paragraph total, the story count and the note", tally)
	}
	// 全部段落 shows the three printings.
	r = okPage(t, e, "/?collapse=none&q="+url.QueryEscape(q))
	if n := len(findByClass(r.doc, "card")); n != 3 {
		t.Errorf("collapse=none: %d cards, want 3", n)
	}
}
