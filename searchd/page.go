package main

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"
)

// The search page is rendered on the server with html/template, so it works
// with JavaScript off; static/app.js only adds a copy-citation button and
// the "/" shortcut. The server's Content-Security-Policy allows scripts and
// styles from 'self' only, so templates hold no inline script or style.

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pageNames are the templates under templates/ that render a whole page;
// each defines "content" and is parsed together with layout.html.
var pageNames = []string{"search", "article", "compare", "error"}

// pageRenderer is the echo.Renderer of the HTML pages: one template set a
// page, each the layout plus the page's "content".
type pageRenderer struct {
	pages map[string]*template.Template
}

// newPageRenderer parses the embedded templates.
func newPageRenderer(assets map[string]string) (*pageRenderer, error) {
	funcs := template.FuncMap{
		// highlight is the one way corpus-derived text reaches the page
		// unescaped: the highlighter's fragment, whose only markup is
		// <mark>. It is re-sanitised here (see highlightHTML).
		"highlight": highlightHTML,
		"asset":     func(name string) string { return assets[name] },
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout template: %w", err)
	}
	r := &pageRenderer{pages: map[string]*template.Template{}}
	for _, name := range pageNames {
		t, err := layout.Clone()
		if err != nil {
			return nil, fmt.Errorf("clone layout template: %w", err)
		}
		if _, err := t.ParseFS(templateFS, "templates/"+name+".html"); err != nil {
			return nil, fmt.Errorf("parse %s template: %w", name, err)
		}
		r.pages[name] = t
	}
	return r, nil
}

// Render executes the named page into w.
func (r *pageRenderer) Render(w io.Writer, name string, data any, _ echo.Context) error {
	t, ok := r.pages[name]
	if !ok {
		return fmt.Errorf("no page template %q", name)
	}
	return t.ExecuteTemplate(w, "layout", data)
}

// markTagRE finds the highlighter's markup.
var markTagRE = regexp.MustCompile(`</?mark>`)

// highlightHTML turns a highlighter fragment (HTML-escaped text whose only
// markup is <mark>…</mark>) into HTML. It does not trust its input to be
// well-formed: the text between the tags is unescaped and escaped again
// (a no-op on properly escaped text, and an escape of any raw < or & a
// faulty highlighter let through), and the tags are balanced, so nothing
// but <mark> can come out of it.
func highlightHTML(s string) template.HTML {
	var b strings.Builder
	open := false
	text := func(t string) { b.WriteString(html.EscapeString(html.UnescapeString(t))) }
	last := 0
	for _, loc := range markTagRE.FindAllStringIndex(s, -1) {
		text(s[last:loc[0]])
		last = loc[1]
		closing := s[loc[0]+1] == '/'
		switch {
		case !closing && !open:
			b.WriteString("<mark>")
			open = true
		case closing && open:
			b.WriteString("</mark>")
			open = false
		}
	}
	text(s[last:])
	if open {
		b.WriteString("</mark>")
	}
	return template.HTML(b.String())
}

// registerPages adds the HTML interface: the search page at /, the article
// view, the county × program comparison and the static assets.
func registerPages(e *echo.Echo, a *api, timeout echo.MiddlewareFunc) {
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embedded folder is part of the binary
	}
	assets, err := assetURLs(static)
	if err != nil {
		panic(err)
	}
	r, err := newPageRenderer(assets)
	if err != nil {
		panic(err) // templates are compiled in; page_test.go parses them
	}
	e.Renderer = r
	p := &pages{api: a, assets: assets}
	e.GET("/", p.search, timeout)
	e.GET("/articles/:id", p.article, timeout)
	e.GET("/compare", p.compare, timeout)
	e.GET("/static/*", serveStatic(static))
}

// pages holds the HTML handlers.
type pages struct {
	api    *api
	assets map[string]string
}

// assetURLs maps each static file to its URL with a content hash, so that
// browsers may cache it for long and still see a new version at once.
func assetURLs(static fs.FS) (map[string]string, error) {
	urls := map[string]string{}
	err := fs.WalkDir(static, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(static, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		urls[name] = "/static/" + name + "?v=" + hex.EncodeToString(sum[:6])
		return nil
	})
	return urls, err
}

// serveStatic serves the embedded assets. Their URLs carry a content hash,
// so they may be cached for a day.
func serveStatic(static fs.FS) echo.HandlerFunc {
	return func(c echo.Context) error {
		name := path.Clean(c.Param("*"))
		data, err := fs.ReadFile(static, name)
		if err != nil || !fs.ValidPath(name) {
			return &apiError{Status: http.StatusNotFound, Code: codeNotFound, Message: "no such file"}
		}
		ctype := "application/octet-stream"
		switch path.Ext(name) {
		case ".css":
			ctype = "text/css; charset=utf-8"
		case ".js":
			ctype = "text/javascript; charset=utf-8"
		case ".svg":
			ctype = "image/svg+xml"
		}
		c.Response().Header().Set("Cache-Control", "public, max-age=86400")
		return c.Blob(http.StatusOK, ctype, data)
	}
}
