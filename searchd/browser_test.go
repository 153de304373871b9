package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
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

	profile, err := os.MkdirTemp("", "searchd-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	defer removeAllRetry(profile)
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
		chromedp.UserDataDir(profile),
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

	consoleMu.Lock()
	defer consoleMu.Unlock()
	for _, m := range console {
		if strings.HasSuffix(m, "status of 400 (Bad Request) ("+badURL+")") {
			continue // the bad query's own status
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
