package main

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// HTTP caching. Every answer of the API and the pages is a function of
// three things: the index generation served, the request (path and query
// string) and the program (its templates, assets and code). The ETag is a
// hash of the three, so it is known before any work is done: a request
// whose If-None-Match holds it gets 304 Not Modified without a search. The
// tags are weak (W/"…"): took_ms and the page's 用时 differ from one run
// to the next while the answer is the same.
//
// Cache-Control is no-cache: caches may keep the answer but must ask
// again each time, since a new generation can be swapped in at any moment
// (-reload) and a journalist must see new coverage at once; asking is cheap
// (a hash, no search).

// programVersion identifies the program: the embedded templates, static
// assets and OpenAPI document, and the build's module version and VCS
// revision, so that a new binary with the same index does not answer 304
// for pages it renders differently.
func programVersion() string {
	h := sha256.New()
	for _, fsys := range []fs.FS{templateFS, staticFS} {
		_ = fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := fs.ReadFile(fsys, name)
			if err != nil {
				return err
			}
			h.Write([]byte(name))
			h.Write(data)
			return nil
		})
	}
	h.Write(openAPI)
	if bi, ok := debug.ReadBuildInfo(); ok {
		h.Write([]byte(bi.Main.Version))
		for _, s := range bi.Settings {
			if strings.HasPrefix(s.Key, "vcs.") {
				h.Write([]byte(s.Key + "=" + s.Value))
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// conditional is the caching middleware of the API and page routes.
// generation returns what identifies the served generation (its number
// and build time: a folder rebuilt from scratch starts again at 1).
//
// The generation is read before the handler acquires its index, and
// generations only move forward, so a tag never names a newer generation
// than its answer's: a swap in between costs one needless full answer
// later, never a stale 304.
func conditional(version string, generation func() string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if req.Method != http.MethodGet {
				return next(c)
			}
			sum := sha256.Sum256([]byte(version + "\x00" + generation() + "\x00" + req.URL.Path + "\x00" + req.URL.RawQuery))
			tag := `W/"` + hex.EncodeToString(sum[:12]) + `"`
			res := c.Response()
			if matchesETag(req.Header.Get("If-None-Match"), tag) {
				res.Header().Set(echo.HeaderCacheControl, "no-cache")
				res.Header().Set("ETag", tag)
				return c.NoContent(http.StatusNotModified)
			}
			// Only a successful answer carries the tag: an error is not
			// a representation to revalidate.
			res.Before(func() {
				if res.Status == http.StatusOK {
					res.Header().Set("ETag", tag)
					res.Header().Set(echo.HeaderCacheControl, "no-cache")
				}
			})
			return next(c)
		}
	}
}

// matchesETag reports whether an If-None-Match header matches tag, with
// the weak comparison RFC 9110 prescribes for it: any listed tag equal to
// tag once the W/ prefixes are set aside. "*" is not honoured (it would
// answer 304 for a request that has no answer, such as a bad one): those
// requests get the full answer, which is always allowed.
func matchesETag(header, tag string) bool {
	if header == "" {
		return false
	}
	opaque := strings.TrimPrefix(tag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if strings.TrimPrefix(t, "W/") == opaque {
			return true
		}
	}
	return false
}

// generationID returns the identity of the holder's served generation.
func (h *holder) generationID() string {
	ix, release := h.acquire()
	defer release()
	return strconv.Itoa(ix.Generation()) + "@" + strconv.FormatInt(ix.Manifest().BuiltAt.UnixNano(), 36)
}
