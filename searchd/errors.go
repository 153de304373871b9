package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"countynews/internal/search"
	"countynews/query"
)

// apiError is an error with the HTTP status and the message a user can act
// on. Handlers return it for bad input; everything else is mapped by
// errorHandler.
type apiError struct {
	Status  int
	Message string
}

func (e *apiError) Error() string { return e.Message }

func badRequest(format string, args ...any) error {
	return &apiError{Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

// errorBody is the JSON shape of every error: {"error": {"status", "message"}}.
type errorBody struct {
	Error struct {
		Status  int    `json:"status"`
		Message string `json:"message"`
	} `json:"error"`
}

// statusOf maps an error to its HTTP status and public message. Only
// errors known to be the client's or the index's state say what they are;
// anything else is an internal error whose details stay in the log.
func statusOf(err error) (int, string) {
	var ae *apiError
	var qe *query.Error
	var he *echo.HTTPError
	var se *search.SchemaError
	switch {
	case errors.As(err, &ae):
		return ae.Status, ae.Message
	case errors.As(err, &qe):
		return http.StatusBadRequest, qe.Error()
	case errors.Is(err, search.ErrNotFound):
		return http.StatusNotFound, "not found"
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, "the search took too long and was stopped; narrow the query or add filters"
	case errors.Is(err, context.Canceled):
		return 499, "request canceled"
	case errors.As(err, &se):
		return http.StatusServiceUnavailable, se.Error()
	case errors.As(err, &he):
		msg := http.StatusText(he.Code)
		if s, ok := he.Message.(string); ok && he.Code < 500 {
			msg = s
		}
		if he.Code == http.StatusServiceUnavailable && errors.Is(he.Internal, context.DeadlineExceeded) {
			msg = "the search took too long and was stopped; narrow the query or add filters"
		}
		return he.Code, msg
	}
	return http.StatusInternalServerError, "internal error"
}

// errorHandler is the server's one HTTPErrorHandler: every error becomes
// JSON {"error": {"status": N, "message": "..."}}. Client errors are logged
// without stack traces; server errors are logged with the request ID.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		status, msg := statusOf(err)
		if status >= 500 && status != http.StatusServiceUnavailable {
			attrs := []any{"err", err, "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "uri", c.Request().RequestURI}
			var pe *search.PanicError
			if errors.As(err, &pe) {
				attrs = append(attrs, "stack", string(pe.Stack))
			}
			log.Error("request failed", attrs...)
		}
		if isPage(c) {
			if rerr := renderErrorPage(c, status, msg); rerr == nil {
				return
			}
		}
		var body errorBody
		body.Error.Status, body.Error.Message = status, msg
		if c.Request().Method == http.MethodHead {
			err = c.NoContent(status)
		} else {
			err = c.JSON(status, body)
		}
		if err != nil {
			log.Error("write error response", "err", err)
		}
	}
}
