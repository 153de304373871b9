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

// apiError is an error with the HTTP status, a stable code and the message
// a user can act on. Handlers return it for bad input; everything else is
// mapped by errorHandler.
type apiError struct {
	Status  int
	Code    string // stable, snake_case: the API's contract (see errorCodes)
	Message string // English, for the person who sent the request
	// Params are the request parameters at fault: a page drops them and
	// shows what the rest of the request finds. Empty when the request as
	// a whole is at fault.
	Params []string
}

func (e *apiError) Error() string { return e.Message }

// badRequest is a 400 about no parameter in particular.
func badRequest(format string, args ...any) error {
	return &apiError{Status: http.StatusBadRequest, Code: codeBadRequest, Message: fmt.Sprintf(format, args...)}
}

// badParam is a 400 about the parameters params (the first one named in
// the message).
func badParam(code string, params []string, format string, args ...any) error {
	return &apiError{Status: http.StatusBadRequest, Code: code, Params: params, Message: fmt.Sprintf(format, args...)}
}

// The error codes of the API besides the query language's (query.Code…).
// Clients may rely on them: never rename one. The OpenAPI document lists
// them all (TestOpenAPIErrorCodes).
const (
	codeBadRequest        = "bad_request"         // a 400 about no parameter in particular
	codeInvalidUTF8       = query.CodeInvalidUTF8 // a parameter is not valid UTF-8
	codeQueryTooLong      = query.CodeTooLong     // q is too long
	codeTooManyValues     = "too_many_values"     // a repeatable parameter has too many values
	codeInvalidYear       = "invalid_year"        // year, year_from or year_to is not a year
	codeYearRangeReversed = "year_range_reversed" // year_from is after year_to
	codeInvalidSort       = "invalid_sort"        // sort is not one of the orders
	codeInvalidDate       = "invalid_date"        // date_from or date_to is not a day YYYY-MM-DD
	codeDateRangeReversed = "date_range_reversed" // date_from is after date_to
	codeInvalidIn         = "invalid_in"          // in is not text or headline
	codeInvalidCollapse   = "invalid_collapse"    // collapse is not none, article, story or auto
	codeInvalidFormat     = "invalid_format"      // export's format is not csv or jsonl
	codeInvalidNumber     = "invalid_number"      // page, size: not a whole number in range
	codeWindowTooDeep     = "window_too_deep"     // page × size is past the pageable hits
	codeInvalidScope      = "invalid_scope"       // similar's scope is unknown
	codeNotFound          = "not_found"           // no such article, paragraph, page or file
	codeTimeout           = "timeout"             // the search took too long
	codeCanceled          = "canceled"            // the client went away
	codeIndexUnavailable  = "index_unavailable"   // the index cannot be served (schema)
	codeTooManyRequests   = "too_many_requests"   // rate limited
	codeBusy              = "busy"                // too many searches at once
	codeMethodNotAllowed  = "method_not_allowed"  // not GET (or HEAD)
	codeRequestTooLarge   = "request_too_large"   // the request's body or URL is too large
	codeInternal          = "internal_error"      // anything else: details in the log
)

// errorCodes lists every code an error response may carry: the OpenAPI
// document's enum (TestOpenAPIErrorCodes).
func errorCodes() []string {
	return []string{
		query.CodeInvalidUTF8, query.CodeTooLong, query.CodeUnbalancedQuote, query.CodeNothingToExclude,
		query.CodeNothingSearchable, query.CodeDanglingOR, query.CodeExcludedOR, query.CodeTooManyTerms, query.CodeInvalid,
		codeBadRequest, codeTooManyValues, codeInvalidYear, codeYearRangeReversed, codeInvalidSort,
		codeInvalidDate, codeDateRangeReversed, codeInvalidIn, codeInvalidCollapse, codeInvalidFormat,
		codeInvalidNumber, codeWindowTooDeep, codeInvalidScope, codeNotFound, codeTimeout, codeCanceled,
		codeIndexUnavailable, codeTooManyRequests, codeBusy, codeMethodNotAllowed, codeRequestTooLarge,
		codeInternal,
	}
}

// errorBody is the JSON shape of every error: {"error": {"status", "code", "message"}}.
type errorBody struct {
	Error struct {
		Status  int    `json:"status"`
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// publicError maps an error to what the client is told: an *apiError
// with status, code and message. Only errors known to be the client's or
// the index's state say what they are; anything else is an internal error
// whose details stay in the log.
func publicError(err error) *apiError {
	var ae *apiError
	var qe *query.Error
	var he *echo.HTTPError
	var se *search.SchemaError
	const tooLong = "the search took too long and was stopped; narrow the query or add filters"
	switch {
	case errors.As(err, &ae):
		if ae.Code == "" {
			c := *ae
			c.Code = statusCode(ae.Status)
			return &c
		}
		return ae
	case errors.As(err, &qe):
		return &apiError{Status: http.StatusBadRequest, Code: qe.Code, Message: qe.Error(), Params: []string{"q"}}
	case errors.Is(err, search.ErrNotFound):
		return &apiError{Status: http.StatusNotFound, Code: codeNotFound, Message: "not found"}
	case errors.Is(err, context.DeadlineExceeded):
		return &apiError{Status: http.StatusServiceUnavailable, Code: codeTimeout, Message: tooLong}
	case errors.Is(err, context.Canceled):
		return &apiError{Status: 499, Code: codeCanceled, Message: "request canceled"}
	case errors.As(err, &se):
		// The log has the whole error; the client is not told where the
		// index lives on the server.
		return &apiError{Status: http.StatusServiceUnavailable, Code: codeIndexUnavailable,
			Message: fmt.Sprintf("the index was built by schema version %d and this server needs %d: it must be rebuilt", se.Found, se.Want)}
	case errors.As(err, &he):
		e := &apiError{Status: he.Code, Code: statusCode(he.Code), Message: http.StatusText(he.Code)}
		if s, ok := he.Message.(string); ok && he.Code < 500 {
			e.Message = s
		}
		if he.Code == http.StatusServiceUnavailable && errors.Is(he.Internal, context.DeadlineExceeded) {
			e.Code, e.Message = codeTimeout, tooLong
		}
		return e
	}
	return &apiError{Status: http.StatusInternalServerError, Code: codeInternal, Message: "internal error"}
}

// statusCode is the code of an error known by its HTTP status only.
func statusCode(status int) string {
	switch status {
	case http.StatusBadRequest:
		return codeBadRequest
	case http.StatusNotFound:
		return codeNotFound
	case http.StatusMethodNotAllowed:
		return codeMethodNotAllowed
	case http.StatusTooManyRequests:
		return codeTooManyRequests
	case http.StatusRequestEntityTooLarge, http.StatusRequestURITooLong, http.StatusRequestHeaderFieldsTooLarge:
		return codeRequestTooLarge
	case http.StatusServiceUnavailable:
		return codeBusy
	case http.StatusRequestTimeout, http.StatusGatewayTimeout:
		return codeTimeout
	}
	if status >= 500 {
		return codeInternal
	}
	return codeBadRequest
}

// statusOf maps an error to its HTTP status and public message.
func statusOf(err error) (int, string) {
	e := publicError(err)
	return e.Status, e.Message
}

// errorHandler is the server's one HTTPErrorHandler: every error becomes
// JSON {"error": {"status": N, "code": "...", "message": "..."}}. Client errors are logged
// without stack traces; server errors are logged with the request ID.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		pe := publicError(err)
		status, msg := pe.Status, pe.Message
		if status >= 500 && status != http.StatusServiceUnavailable {
			attrs := []any{"err", err, "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "uri", c.Request().RequestURI}
			var pe *search.PanicError
			if errors.As(err, &pe) {
				attrs = append(attrs, "stack", string(pe.Stack))
			}
			log.Error("request failed", attrs...)
		}
		if status == http.StatusMethodNotAllowed {
			c.Response().Header().Set("Allow", "GET, HEAD")
		}
		if isPage(c) {
			if rerr := renderErrorPage(c, pe); rerr == nil {
				return
			}
		}
		var body errorBody
		body.Error.Status, body.Error.Code, body.Error.Message = status, pe.Code, msg
		// A HEAD request arrives here as a GET (headAsGet): net/http drops
		// the body.
		if err := c.JSON(status, body); err != nil {
			log.Error("write error response", "err", err)
		}
	}
}
