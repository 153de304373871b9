package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"countynews/internal/ingest"
)

// TestBrowser drives the search page in headless Chromium (Debian's
// /usr/bin/chromium) against the real daemon on the embedded corpus: it types
// 红色物业, checks the two result cards, picks the 梁山 facet, checks the one
// card left and its highlight, opens the article view and checks the similar
// initiatives. Each step leaves a full-page PNG in $SCREENSHOT_DIR, or in
// screenshots/ at the repository root.
func TestBrowser(t *testing.T) {
	chrome := findChromium()
	if chrome == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed; .ci/run installs it with apt-get")
		}
		t.Skip("chromium is not installed (apt-get install chromium)")
	}
	shots := screenshotDir(t)

	// The daemon, as main starts it, on a free port; it builds the index of
	// the embedded corpus since the folder does not exist.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	d := startLive(t, "-index", filepath.Join(t.TempDir(), "index"))
	base := d.url
	defer func() {
		if t.Failed() {
			t.Logf("searchd log:\n%s", d.stderr.String())
		}
	}()

	// The profile and chromium's own temporary files (the SingletonSocket
	// folder /tmp/org.chromium.Chromium.*, which a killed browser leaves
	// behind) in one folder, removed when the test ends.
	browserDir, err := os.MkdirTemp("", "searchd-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	defer removeAllRetry(browserDir)
	profile, browserTmp := filepath.Join(browserDir, "profile"), filepath.Join(browserDir, "tmp")
	if err := os.Mkdir(browserTmp, 0o700); err != nil {
		t.Fatal(err)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "zh-CN"),
		// No smooth scrolling: a click lands where the element is, not
		// where it was when the scroll began.
		chromedp.Flag("force-prefers-reduced-motion", true),
		chromedp.UserDataDir(profile),
		chromedp.Env("TMPDIR="+browserTmp),
		chromedp.WindowSize(1280, 900),
	)...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()

	// Everything the page writes to the console is collected: an error
	// (a script exception, a CSP violation, a failed asset) fails the test.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	var (
		consoleMu sync.Mutex
		console   []string
	)
	messages := chromedp.Console(bctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				consoleMu.Lock()
				console = append(console, m.String()+" ("+m.URL+")")
				consoleMu.Unlock()
			}
		}
	}()

	// Each step has its own time limit (derived from the browser's context
	// once the browser runs, so that it stops the step, not the browser).
	const stepTime = 20 * time.Second
	do := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(bctx, stepTime)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	navigate := func(step string, action chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(bctx, stepTime)
		defer cancel()
		resp, err := chromedp.RunResponse(sctx, action)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if resp.Status != 200 {
			t.Fatalf("%s: HTTP %d for %s", step, resp.Status, resp.URL)
		}
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		path := filepath.Join(shots, name+".png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
		fmt.Println("screenshot:", path)
	}

	// 1. The start page; "/" focuses the search box (app.js).
	navigate("open the start page", chromedp.Navigate(base+"/"))
	do("wait for the search box", chromedp.WaitVisible(chromedp.CSS("#q")))
	do("press /", pressSlash)
	if focused := evalJS[string](t, bctx, `document.activeElement && document.activeElement.id`); focused != "q" {
		t.Errorf(`"/" focuses %q, want the search box`, focused)
	}
	if v := evalJS[string](t, bctx, `document.querySelector('#q').value`); v != "" {
		t.Errorf(`"/" was typed into the box: %q`, v)
	}
	shot("browser-1-start")

	// 2. Type 红色物业 and submit: two cards.
	do("type the query", chromedp.SendKeys(chromedp.CSS("#q"), "红色物业"))
	navigate("submit", chromedp.Click(chromedp.CSS("form.search button[type=submit]")))
	do("wait for results", chromedp.WaitVisible(chromedp.CSS(".card")))
	loc := evalJS[string](t, bctx, `location.search`)
	if q, _ := url.ParseQuery(strings.TrimPrefix(loc, "?")); q.Get("q") != "红色物业" {
		t.Errorf("after submitting, the URL's query is %q", loc)
	}
	if n := evalJS[int](t, bctx, `document.querySelectorAll('.card').length`); n != 2 {
		t.Errorf("%d result cards for 红色物业, want 2", n)
	}
	if n := evalJS[int](t, bctx, `document.querySelectorAll('button.copy:not([hidden])').length`); n != 2 {
		t.Errorf("%d visible copy buttons, want 2 (app.js shows them)", n)
	}
	shot("browser-2-results")

	// 3. Click the 梁山 facet: one card, with 红色物业 highlighted.
	navigate("click the 梁山 facet", chromedp.Click(chromedp.Search(`//aside[@id="facets"]//a[contains(@class,"fv")][.//span[@class="name"][normalize-space(.)="梁山"]]`)))
	do("wait for the filter chip", chromedp.WaitVisible(chromedp.CSS(".chip")))
	if n := evalJS[int](t, bctx, `document.querySelectorAll('.card').length`); n != 1 {
		t.Errorf("%d cards after picking 梁山, want 1", n)
	}
	if m := evalJS[string](t, bctx, `(document.querySelector('.card .snippet mark') || {}).outerHTML || ''`); m != "<mark>红色物业</mark>" {
		t.Errorf("the card's highlight is %q, want <mark>红色物业</mark>", m)
	}
	if c := evalJS[string](t, bctx, `document.querySelector('.card .county').textContent`); c != "梁山" {
		t.Errorf("the card's county is %q", c)
	}
	// The copy button copies the citation (or says it could not).
	do("copy the citation", chromedp.Click(chromedp.CSS(".card button.copy")))
	if _, err := chromedp.Run(bctx, chromedp.Poll[bool](`document.getElementById('live').textContent !== ''`, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Errorf("the copy button gave no feedback: %v", err)
	}
	shot("browser-3-county")

	// 4. Open the article view: the matched paragraph is the target and is
	// highlighted, and its similar initiatives are listed.
	navigate("open the article", chromedp.Click(chromedp.CSS(".card .card-title a")))
	do("wait for the article", chromedp.WaitVisible(chromedp.CSS(".para.hit")))
	if !evalJS[bool](t, bctx, `document.querySelector('.para.hit').matches(':target')`) {
		t.Errorf("the highlighted paragraph is not the URL's #anchor")
	}
	if n := evalJS[int](t, bctx, `document.querySelectorAll('.para.hit mark').length`); n == 0 {
		t.Errorf("红色物业 is not marked in the matched paragraph")
	}
	if n := evalJS[int](t, bctx, `document.querySelectorAll('.para.hit .similar li').length`); n == 0 {
		t.Errorf("the similar-initiatives list of the matched paragraph is empty")
	}
	if n := evalJS[int](t, bctx, `document.querySelectorAll('.similar li').length`); n == 0 {
		t.Errorf("no similar initiatives in the article")
	}
	shot("browser-4-article")

	// 5. The comparison view of the same query.
	navigate("open the comparison", chromedp.Navigate(base+"/compare?q="+url.QueryEscape("红色物业")))
	do("wait for the table", chromedp.WaitVisible(chromedp.CSS("table.matrix")))
	if n := evalJS[int](t, bctx, `document.querySelectorAll('table.matrix td a').length`); n == 0 {
		t.Errorf("the comparison has no linked cells")
	}
	shot("browser-5-compare")

	// 6. A phone: one column, nothing wider than the screen.
	do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	navigate("open the results on a phone", chromedp.Navigate(base+"/?q="+url.QueryEscape("红色物业")))
	do("wait for results", chromedp.WaitVisible(chromedp.CSS(".card")))
	if w := evalJS[int](t, bctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("on a 390 px screen the page is %d px wide", w)
	}
	shot("browser-6-phone")

	// 7. A bad query: the page keeps what it can show and explains the
	// problem above it, in Chinese, status 400.
	do("back to a wide screen", chromedp.EmulateViewport(1280, 900))
	sctx, cancelStep := context.WithTimeout(bctx, stepTime)
	badURL := base + "/?q=" + url.QueryEscape("红色物业 OR")
	resp, err := chromedp.RunResponse(sctx, chromedp.Navigate(badURL))
	cancelStep()
	if err != nil || resp.Status != 400 {
		t.Fatalf("a bad query: %v, %+v", err, resp)
	}
	if msg := evalJS[string](t, bctx, `document.querySelector('.problems').textContent`); !strings.Contains(msg, "第 6 个字符处的 OR") {
		t.Errorf("the problem notice says %q", msg)
	}
	shot("browser-7-error")

	// 8. Sticky state: from a list with a sort, a page size, a page and
	// filters, the card's article and its way back restore the list, and
	// Back and Forward show each URL's own state in the forms (the year
	// box typed into, then dropped with a chip, does not come back).
	list := base + "/?" + url.Values{"q": {"党"}, "sort": {"oldest"}, "size": {"3"}, "page": {"2"}, "county": {"梁山", "微山"}, "collapse": {"none"}}.Encode()
	navigate("open a list with state", chromedp.Navigate(list))
	listSearch := evalJS[string](t, bctx, `location.search`)
	navigate("open the first card", chromedp.Click(chromedp.CSS(".card .card-title a")))
	do("wait for the article", chromedp.WaitVisible(chromedp.CSS(".para.hit")))
	do("back to the results", chromedp.Evaluate[chromedp.Void](`document.querySelector('.back a').click()`))
	if err := waitJS(bctx, `location.pathname === '/' && document.readyState === 'complete' && !!document.querySelector('.card')`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := evalJS[string](t, bctx, `location.search`); !sameQuery(got, listSearch) {
		t.Errorf("返回检索结果 goes to %s, want the list %s", got, listSearch)
	}
	if got := evalJS[string](t, bctx, `document.querySelector('.pager a[aria-current=page]').textContent`); got != "2" {
		t.Errorf("back on page %s, want 2", got)
	}
	navigate("a fresh list", chromedp.Navigate(base+"/?q="+url.QueryEscape("党")))
	do("type a year", chromedp.SendKeys(chromedp.CSS(`form.years input[name=year_from]`), "2021"))
	navigate("filter by the year", chromedp.Click(chromedp.CSS("form.years button[type=submit]")))
	do("wait for the chip", chromedp.WaitVisible(chromedp.CSS(".chip")))
	if got := evalJS[string](t, bctx, `location.search`); !sameQuery(got, "?"+url.Values{"q": {"党"}, "year_from": {"2021"}}.Encode()) {
		t.Errorf("the year form went to %s (empty fields must be left out)", got)
	}
	navigate("remove the year with its chip", chromedp.Click(chromedp.CSS(".chip")))
	do("wait for the list", chromedp.WaitVisible(chromedp.CSS(".card")))
	yearBox := `document.querySelector('form.years input[name=year_from]').value`
	if v := evalJS[string](t, bctx, yearBox); v != "" {
		t.Errorf("without a year in the URL the year box shows %q", v)
	}
	historyStep := func(step, js, wantYear string) {
		t.Helper()
		do(step, chromedp.Evaluate[chromedp.Void](js))
		want := jsString(wantYear)
		if wantYear == "" {
			want = "null"
		}
		if err := waitJS(bctx, `document.readyState === 'complete' && new URLSearchParams(location.search).get('year_from') === `+want, 10*time.Second); err != nil {
			t.Fatalf("%s: the URL did not come back: %v", step, err)
		}
		if v := evalJS[string](t, bctx, yearBox); v != wantYear {
			t.Errorf("%s: the URL's year is %q, the year box shows %q", step, wantYear, v)
		}
	}
	historyStep("Back", "history.back()", "2021")
	historyStep("Forward", "history.forward()", "")
	// (A page restored from the history cache is driven by script:
	// chromedp's node tracking does not follow such a restore.)
	do("type a year without submitting", chromedp.Evaluate[chromedp.Void](`document.querySelector('form.years input[name=year_from]').value = '2019'`))
	do("leave by a card", chromedp.Evaluate[chromedp.Void](`document.querySelector('.card .card-title a').click()`))
	if err := waitJS(bctx, `location.pathname.indexOf('/articles/') === 0 && document.readyState === 'complete'`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	historyStep("Back after typing", "history.back()", "")

	// 9. Keyboard: the first Tab stops are the skip links, visible when
	// focused, at desktop and phone width; from them the first card and the
	// first county filter are one Tab away.
	for _, vp := range []struct {
		name string
		w, h int64
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		do("viewport "+vp.name, chromedp.EmulateViewport(vp.w, vp.h))
		for _, skip := range []struct {
			tabs        int
			label, next string
		}{
			{1, "跳到检索结果", ".card-title a"},
			{2, "跳到筛选", "#facets .fv"},
		} {
			navigate("open the results", chromedp.Navigate(base+"/?q="+url.QueryEscape("党")))
			for range skip.tabs {
				do("Tab", pressKey("Tab", "Tab", 9))
			}
			if got := evalJS[string](t, bctx, `document.activeElement.textContent`); got != skip.label {
				t.Fatalf("%s: Tab %d focuses %q, want the skip link %s", vp.name, skip.tabs, got, skip.label)
			}
			if !evalJS[bool](t, bctx, `(function(){var r=document.activeElement.getBoundingClientRect();return r.width>0&&r.left>=0&&r.top>=0&&r.right<=innerWidth})()`) {
				t.Errorf("%s: the focused skip link %s is not on screen", vp.name, skip.label)
			}
			do("follow the skip link", pressKey("Enter", "Enter", 13))
			do("Tab", pressKey("Tab", "Tab", 9))
			if !evalJS[bool](t, bctx, `document.activeElement === document.querySelector(`+jsString(skip.next)+`)`) {
				t.Errorf("%s: after %s and one Tab the focus is on %q, want %s", vp.name, skip.label, evalJS[string](t, bctx, `document.activeElement.outerHTML.slice(0, 120)`), skip.next)
			}
		}
		if vp.name == "desktop" {
			shot("browser-9-skip-link")
		}
	}
	do("back to a wide screen", chromedp.EmulateViewport(1280, 900))

	// 10. The year chart over a wide span with gaps, on another index.
	chartBase := startCorpusDaemon(t, viewsCorpus)
	navigate("open a span of years", chromedp.Navigate(chartBase+"/?q="+url.QueryEscape("网格化管理")))
	if w := evalJS[float64](t, bctx, `document.querySelector('.chart').getBoundingClientRect().width`); w > evalJS[float64](t, bctx, `document.querySelector('#facets').getBoundingClientRect().width`)+0.5 {
		t.Errorf("the chart (%.0f px) is wider than the sidebar", w)
	}
	if n := evalJS[int](t, bctx, `document.querySelectorAll('.chart a.bar').length`); n != 4 {
		t.Errorf("%d bar links, want the 4 years with hits", n)
	}
	if n := evalJS[int](t, bctx, `document.querySelectorAll('.chart .gap').length`); n != 2 {
		t.Errorf("%d gap marks, want 2", n)
	}
	shot("browser-10-chart")

	// 12. Did you mean: a mistyped query finds nothing exactly; the
	// correction is offered with its count, and following it finds that
	// many paragraphs.
	navigate("open a mistyped query", chromedp.Navigate(base+"/?q="+url.QueryEscape("乡村振新")))
	do("wait for the correction", chromedp.WaitVisible(chromedp.CSS(".didyoumean a")))
	if got := evalJS[string](t, bctx, `document.querySelector('.didyoumean a').textContent`); got != "乡村振兴" {
		t.Errorf("did you mean offers %q first, want 乡村振兴", got)
	}
	offered := evalJS[string](t, bctx, `document.querySelector('.didyoumean .n').textContent`)
	shot("browser-12-didyoumean")
	navigate("follow the correction", chromedp.Click(chromedp.CSS(".didyoumean a")))
	do("wait for results", chromedp.WaitVisible(chromedp.CSS(".card")))
	if n := evalJS[string](t, bctx, `document.querySelector('.tally strong').textContent`); offered != fmt.Sprintf("（%s 条）", n) {
		t.Errorf("the correction promised %s, its page counts %s paragraphs", offered, n)
	}
	if q := evalJS[string](t, bctx, `new URLSearchParams(location.search).get('q')`); q != "乡村振兴" {
		t.Errorf("the correction went to q=%q", q)
	}

	// 13. A county named in the query is offered as a filter chip
	// (只看 微山县); following it filters to that county.
	navigate("open a query naming a county", chromedp.Navigate(base+"/?q="+url.QueryEscape("党建 OR 微山")))
	do("wait for the county chip", chromedp.WaitVisible(chromedp.CSS(".only a.chip")))
	if got := evalJS[string](t, bctx, `document.querySelector('.only a.chip').textContent`); !strings.HasPrefix(got, "只看 微山县") {
		t.Errorf("the query's county chip says %q", got)
	}
	shot("browser-13-county-chip")
	navigate("follow the county chip", chromedp.Click(chromedp.CSS(".only a.chip")))
	do("wait for the filter chip", chromedp.WaitVisible(chromedp.CSS(".chips .chip")))
	if bad := evalJS[int](t, bctx, `[...document.querySelectorAll('.card .county')].filter(e => e.textContent !== '微山').length`); bad != 0 {
		t.Errorf("%d cards outside 微山 after 只看 微山县", bad)
	}
	if n := evalJS[int](t, bctx, `document.querySelectorAll('.only a.chip').length`); n != 0 {
		t.Errorf("the chip is still offered once its filter is on")
	}

	// 14. A relaxed answer says so above the results; its link goes to
	// exact matching, which finds nothing and offers a correction.
	navigate("open an unspaced query", chromedp.Navigate(base+"/?q="+url.QueryEscape("微山乡村振兴")))
	do("wait for the notice", chromedp.WaitVisible(chromedp.CSS(".relaxed")))
	notice := evalJS[string](t, bctx, `document.querySelector('.relaxed').firstChild.textContent`)
	if want := "没有找到与“微山乡村振兴”完全匹配的段落，以下是同时包含“微山”“乡村振兴”的段落。"; notice != want {
		t.Errorf("the relaxed notice says %q, want %q", notice, want)
	}
	if n := evalJS[int](t, bctx, `document.querySelectorAll('.card').length`); n == 0 {
		t.Errorf("no cards under the relaxed notice")
	}
	if !evalJS[bool](t, bctx, `document.querySelector('.relaxed').getBoundingClientRect().bottom <= document.querySelector('.card').getBoundingClientRect().top`) {
		t.Errorf("the relaxed notice is not above the results")
	}
	shot("browser-14-relaxed")
	navigate("follow the link to exact matching", chromedp.Click(chromedp.CSS(".relaxed a")))
	do("wait for the empty result", chromedp.WaitVisible(chromedp.CSS(".empty")))
	if m := evalJS[string](t, bctx, `new URLSearchParams(location.search).get('match')`); m != "exact" {
		t.Errorf("the exact link went to match=%q", m)
	}
	if n := evalJS[int](t, bctx, `document.querySelectorAll('.didyoumean a').length`); n == 0 {
		t.Errorf("exact matching found nothing and offered no correction")
	}
	shot("browser-15-exact")

	// 16. Story cards: one story printed by three outlets is one card
	// saying 另有 2 家媒体转载, linking to the two copies; its citation
	// names the outlet, the date and the file relative to the corpus, and
	// the copy button copies that string; 全部段落 shows the three.
	stories, err := os.ReadFile("testdata/stories.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	storyBase := startCorpusDaemon(t, string(stories))
	storyURL := storyBase + "/?q=" + url.QueryEscape("防汛抗旱指挥部发布通告")
	navigate("open a syndicated story", chromedp.Navigate(storyURL))
	do("wait for the story card", chromedp.WaitVisible(chromedp.CSS(".card .copies")))
	if n := evalJS[int](t, bctx, `document.querySelectorAll('.card').length`); n != 1 {
		t.Errorf("%d cards for one story printed three times, want 1", n)
	}
	if got := evalJS[string](t, bctx, `document.querySelector('.card .copies .others').textContent`); !strings.HasPrefix(got, "另有 2 家媒体转载") {
		t.Errorf("the story card says %q", got)
	}
	if n := evalJS[int](t, bctx, `document.querySelectorAll('.card .copies a[href^="/articles/"]').length`); n != 2 {
		t.Errorf("%d links to the copies, want 2", n)
	}
	cite := evalJS[string](t, bctx, `document.querySelector('.card .cite-text').textContent`)
	if !regexp.MustCompile(`^(《.+》，)?\p{Han}+，2023年8月\d日。来源：news\.jsonl 第\d+行$`).MatchString(cite) ||
		evalJS[string](t, bctx, `document.querySelector('.card button.copy').dataset.copy`) != cite {
		t.Errorf("the story card's citation %q (and its copy button)", cite)
	}
	if note := evalJS[string](t, bctx, `document.querySelector('.tally-note').textContent`); !strings.Contains(note, "按段落计") {
		t.Errorf("the page does not say counts are paragraphs: %q", note)
	}
	shot("browser-16-story")
	navigate("show every paragraph", chromedp.Click(chromedp.Search(`//nav[contains(@class,"collapse")]//a[normalize-space(.)="全部段落"]`)))
	do("wait for the cards", chromedp.WaitVisible(chromedp.CSS(".card")))
	if n := evalJS[int](t, bctx, `document.querySelectorAll('.card').length`); n != 3 {
		t.Errorf("全部段落: %d cards, want the 3 printings", n)
	}
	// The printing without a headline (人民网's) is titled by its first
	// sentence, marked as derived, and no card says 无标题.
	if n := evalJS[int](t, bctx, `document.querySelectorAll('.card .card-title.derived').length`); n != 1 {
		t.Errorf("%d cards with a derived title, want the one printing without a headline", n)
	}
	if note := evalJS[string](t, bctx, `(document.querySelector('.card .derived-note') || {}).textContent || ''`); note != "原文未印标题，标题取自首句" {
		t.Errorf("the derived title's note says %q", note)
	}
	if evalJS[bool](t, bctx, `document.querySelector('main').textContent.includes('无标题')`) {
		t.Errorf("a card says 无标题")
	}
	shot("browser-16b-derived")
	navigate("open a copy", chromedp.Navigate(storyURL))
	navigate("follow a copy link", chromedp.Click(chromedp.CSS(".card .copies a")))
	do("wait for the copy's article", chromedp.WaitVisible(chromedp.CSS(".para.hit")))

	// 11. Accessibility: axe-core finds no serious or critical violation
	// on the search, article, comparison and error pages, wide and narrow.
	axeSrc := axeSource(t)
	if axeSrc != "" {
		pages := []struct{ name, url string }{
			{"search", base + "/?q=" + url.QueryEscape("红色物业")},
			{"search with filters", base + "/?" + url.Values{"q": {"党"}, "county": {"梁山"}, "year_from": {"2020"}}.Encode()},
			{"browse", base + "/"},
			{"empty", base + "/?q=" + url.QueryEscape("没有这样的词语组合")},
			{"did you mean", base + "/?q=" + url.QueryEscape("乡村振新")},
			{"relaxed", base + "/?q=" + url.QueryEscape("微山乡村振兴")},
			{"query chips", base + "/?q=" + url.QueryEscape("党建 OR 微山 OR 乡村振兴")},
			{"article", ""},
			{"compare", base + "/compare?q=" + url.QueryEscape("红色物业")},
			{"compare with filters", base + "/compare?" + url.Values{"q": {"党"}, "program": {"红色物业"}}.Encode()},
			{"error in place", base + "/?q=" + url.QueryEscape(`"乡村振兴`)},
			{"chart", chartBase + "/?q=" + url.QueryEscape("网格化管理")},
			{"story cards", storyURL},
		}
		for _, vp := range []struct {
			name string
			w, h int64
		}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
			do("viewport "+vp.name, chromedp.EmulateViewport(vp.w, vp.h))
			for _, pg := range pages {
				sctx, cancel := context.WithTimeout(bctx, stepTime)
				if pg.url == "" { // the article of the first 红色物业 card
					_, err = chromedp.RunResponse(sctx, chromedp.Navigate(base+"/?q="+url.QueryEscape("红色物业")))
					if err == nil {
						_, err = chromedp.RunResponse(sctx, chromedp.Click(chromedp.CSS(".card .card-title a")))
					}
				} else {
					_, err = chromedp.RunResponse(sctx, chromedp.Navigate(pg.url))
				}
				cancel()
				if err != nil {
					t.Fatalf("open %s: %v", pg.name, err)
				}
				for _, v := range runAxe(t, bctx, axeSrc) {
					msg := fmt.Sprintf("axe %s (%s) on %s: %s [%s] %v", v.Impact, v.ID, pg.name+" "+vp.name, v.Help, v.Tags, v.Nodes)
					if v.Impact == "serious" || v.Impact == "critical" {
						t.Error(msg)
					} else {
						t.Log(msg)
					}
				}
			}
		}
		do("back to a wide screen", chromedp.EmulateViewport(1280, 900))
		t.Logf("axe-core %s: %d pages at 2 widths checked", axeVersion, len(pages))
	}

	// 9. Completions while typing (suggest.js): an ARIA combobox whose
	// arrow keys move through the options, Escape closes, Enter searches
	// the chosen one.
	comboboxStep(t, bctx, base, do, navigate, shot)

	consoleMu.Lock()
	defer consoleMu.Unlock()
	for _, m := range console {
		if strings.Contains(m, "status of 400 (Bad Request)") {
			continue // the bad queries' own status
		}
		t.Errorf("browser console: %s", m)
	}
}

// pressSlash presses "/" as one keyDown event with its text, as a keyboard
// does: a handler that cancels the keydown also cancels the typing.
// (chromedp.KeyEvent sends the character as a separate event, which a
// cancelled keydown does not stop.)
var pressSlash = chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
	down := input.DispatchKeyEventParams{
		Type: input.DispatchKeyEventTypeKeyDown, Key: "/", Code: "Slash", Text: "/", UnmodifiedText: "/",
		WindowsVirtualKeyCode: 191, NativeVirtualKeyCode: 191,
	}
	if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, down); err != nil {
		return err
	}
	up := down
	up.Type, up.Text, up.UnmodifiedText = input.DispatchKeyEventTypeKeyUp, "", ""
	_, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, up)
	return err
})

// evalJS evaluates a JavaScript expression in the page.
func evalJS[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// findChromium returns the path of Debian's chromium, or "".
func findChromium() string {
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// screenshotDir is $SCREENSHOT_DIR, or screenshots/ at the repository root
// (the test runs in searchd/).
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("SCREENSHOT_DIR")
	if dir == "" {
		dir = filepath.Join("..", "screenshots")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// removeAllRetry removes Chromium's profile: its helper processes may still
// write there for a moment after the browser ends.
func removeAllRetry(dir string) {
	for range 50 {
		if err := os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// comboboxStep types 红 into the search box and drives the completions
// with the keyboard.
func comboboxStep(t *testing.T, bctx context.Context, base string, do func(string, ...chromedp.Action[chromedp.Void]), navigate func(string, chromedp.Action[chromedp.Void]), shot func(string)) {
	t.Helper()
	navigate("open the start page again", chromedp.Navigate(base+"/"))
	do("type 红", chromedp.WaitVisible(chromedp.CSS("#q")), chromedp.Focus(chromedp.CSS("#q")), chromedp.SendKeys(chromedp.CSS("#q"), "红"))
	do("wait for the completions", chromedp.WaitVisible(chromedp.CSS("#q-suggest [role=option]")))
	state := func() (expanded, active, selected string, options int) {
		expanded = evalJS[string](t, bctx, `document.getElementById('q').getAttribute('aria-expanded')`)
		active = evalJS[string](t, bctx, `document.getElementById('q').getAttribute('aria-activedescendant') || ''`)
		selected = evalJS[string](t, bctx, `Array.from(document.querySelectorAll('#q-suggest [aria-selected=true]')).map(e => e.id).join(',')`)
		options = evalJS[int](t, bctx, `document.querySelectorAll('#q-suggest [role=option]').length`)
		return
	}
	if role := evalJS[string](t, bctx, `document.getElementById('q').getAttribute('role') + ' ' + document.getElementById('q').getAttribute('aria-controls') + ' ' + document.getElementById('q-suggest').getAttribute('role')`); role != "combobox q-suggest listbox" {
		t.Errorf("roles: %q, want a combobox controlling a listbox", role)
	}
	exp, act, sel, n := state()
	if exp != "true" || act != "" || sel != "" || n < 2 {
		t.Fatalf("after typing 红: expanded %s, active %q, selected %q, %d options", exp, act, sel, n)
	}
	for _, txt := range evalJS[[]string](t, bctx, `Array.from(document.querySelectorAll('#q-suggest .opt-text')).map(e => e.textContent)`) {
		if !strings.Contains(txt, "红") {
			t.Errorf("completion %q of 红", txt)
		}
	}
	do("arrow down twice", chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown))
	if _, act, sel, _ := state(); act != "q-opt-1" || sel != "q-opt-1" {
		t.Errorf("after two ArrowDown: active %q, selected %q, want q-opt-1", act, sel)
	}
	do("arrow up", chromedp.KeyEvent(kb.ArrowUp))
	if _, act, sel, _ := state(); act != "q-opt-0" || sel != "q-opt-0" {
		t.Errorf("after ArrowUp: active %q, selected %q, want q-opt-0", act, sel)
	}
	if f := evalJS[string](t, bctx, `document.activeElement.id`); f != "q" {
		t.Errorf("focus left the box for %q", f)
	}
	shot("browser-8-suggest")
	do("escape", chromedp.KeyEvent(kb.Escape))
	if exp, act, _, _ := state(); exp != "false" || act != "" || !evalJS[bool](t, bctx, `document.getElementById('q-suggest').hidden`) {
		t.Errorf("after Escape: expanded %s, active %q", exp, act)
	}
	if v := evalJS[string](t, bctx, `document.getElementById('q').value`); v != "红" {
		t.Errorf("Escape changed the box to %q", v)
	}
	do("reopen", chromedp.KeyEvent(kb.ArrowDown))
	do("wait for the completions again", chromedp.WaitVisible(chromedp.CSS("#q-suggest [role=option]")))
	do("pick the first", chromedp.KeyEvent(kb.ArrowDown))
	kind := evalJS[string](t, bctx, `document.getElementById('q-opt-0').getAttribute('data-kind')`)
	text := evalJS[string](t, bctx, `document.querySelector('#q-opt-0 .opt-text').textContent`)
	navigate("enter", chromedp.KeyEvent(kb.Enter))
	do("wait for the results", chromedp.WaitVisible(chromedp.CSS(".tally")))
	got, _ := url.ParseQuery(strings.TrimPrefix(evalJS[string](t, bctx, `location.search`), "?"))
	switch kind {
	case "county", "program":
		if got.Get(kind) != text || got.Get("q") != "" {
			t.Errorf("picking %s %s searched %v", kind, text, got)
		}
	default:
		if q := strings.Trim(got.Get("q"), `"`); q != text {
			t.Errorf("picking %s %s searched %v", kind, text, got)
		}
	}
}

// axeVersion is the axe-core release the accessibility check runs: .ci/run
// installs exactly this one with npm.
const axeVersion = "4.14.1"

// axeSource returns axe-core's script: $AXE_CORE_JS, or the copy .ci/run
// installs under ~/.cache. Without it the check is skipped, except under
// CI=true, where it fails.
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("AXE_CORE_JS")
	if path == "" {
		home, _ := os.UserHomeDir()
		path = filepath.Join(home, ".cache", "countynews", "axe-core-"+axeVersion, "node_modules", "axe-core", "axe.min.js")
	}
	src, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("axe-core %s is not installed (%v); .ci/run installs it with npm", axeVersion, err)
		}
		t.Logf("accessibility check skipped: axe-core not found (%v); npm install --prefix ~/.cache/countynews/axe-core-%s axe-core@%s", err, axeVersion, axeVersion)
		return ""
	}
	return string(src)
}

// axeViolation is one rule axe-core found broken.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Tags   []string `json:"tags"`
	Nodes  []string `json:"nodes"`
}

// runAxe loads axe-core into the page (through DevTools, which the page's
// Content-Security-Policy does not restrict; the page itself never loads
// it) and returns the violations of the WCAG 2.x A and AA rules and axe's
// best practices.
func runAxe(t *testing.T, ctx context.Context, src string) []axeViolation {
	t.Helper()
	if !evalJS[bool](t, ctx, `typeof axe !== 'undefined'`) {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
			t.Fatalf("load axe-core: %v", err)
		}
	}
	if v := evalJS[string](t, ctx, `axe.version`); v != axeVersion {
		t.Fatalf("axe-core %s loaded, want %s", v, axeVersion)
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}, resultTypes: ['violations']}).then(function (r) {
		return JSON.stringify(r.violations.map(function (v) {
			return {id: v.id, impact: v.impact || '', help: v.help, tags: v.tags, nodes: v.nodes.slice(0, 5).map(function (n) { return n.target.join(' '); })};
		}));
	})`, func(p *runtime.EvaluateParams) { p.AwaitPromise = ptrTo(true) }))
	if err != nil {
		t.Fatalf("run axe-core: %v", err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		t.Fatalf("axe-core's result: %v", err)
	}
	return vs
}

func ptrTo[T any](v T) *T { return &v }

// pressKey presses and releases a key (Tab, Enter) as a keyboard does.
func pressKey(key, code string, vk int64) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Key: key, Code: code,
			WindowsVirtualKeyCode: vk, NativeVirtualKeyCode: vk}
		if key == "Enter" {
			down.Text = "\r"
		}
		if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, down); err != nil {
			return err
		}
		up := down
		up.Type, up.Text = input.DispatchKeyEventTypeKeyUp, ""
		_, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, up)
		return err
	})
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// sameQuery compares two URL query strings as sets of parameters.
func sameQuery(a, b string) bool {
	x, err1 := url.ParseQuery(strings.TrimPrefix(a, "?"))
	y, err2 := url.ParseQuery(strings.TrimPrefix(b, "?"))
	return err1 == nil && err2 == nil && sameValues(x, y)
}

// startCorpusDaemon starts a second daemon on an index of the JSONL
// export data and returns its base URL.
func startCorpusDaemon(t *testing.T, data string) string {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "news.jsonl")
	if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	index := filepath.Join(dir, "index")
	if _, err := ingest.Run(context.Background(), ingest.Options{Index: index, Paths: []string{file}}); err != nil {
		t.Fatal(err)
	}
	return startLive(t, "-index", index).url
}

// waitJS evaluates expr until it is true, across navigations (whose
// evaluation errors are retried), for at most d.
func waitJS(ctx context.Context, expr string, d time.Duration) error {
	end := time.Now().Add(d)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return nil
		}
		if time.Now().After(end) {
			return fmt.Errorf("%s still not true after %s (last error %v)", expr, d, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
