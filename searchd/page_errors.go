package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"countynews/query"
)

// Errors on the pages are shown in place and in Chinese: a parameter that
// is invalid is dropped, the page shows what the rest of the request finds
// (results, facets, the comparison), and the problem is explained above it,
// pointing at the character of q that is wrong. The API keeps its English
// messages; both share the error's stable code, from which the Chinese
// wording is made here.

// problem is one invalid parameter as a page explains it.
type problem struct {
	Code    string
	Param   string
	Message string // Chinese
	// For a problem in q: q as typed cut around the character at fault
	// (At; empty when the problem is past the end).
	QBefore, QAt, QAfter string
	HasQ                 bool
	err                  error // as the API reports it
}

// maxProblems bounds the retries of bindPage: there are fewer parameters.
const maxProblems = 16

// bindPage binds a page's search state leniently: each parameter at fault
// is dropped and reported, and the rest is bound again, so that the page
// can show what it finds. An error about the request as a whole (not about
// given parameters) is returned as err, for the error page.
func bindPage(raw url.Values) (searchParams, []problem, error) {
	v := url.Values{}
	for k, vs := range raw {
		v[k] = vs
	}
	var problems []problem
	for range maxProblems {
		p, err := bindSearch(v)
		if err == nil {
			return p, problems, nil
		}
		pe := publicError(err)
		if pe.Status != http.StatusBadRequest || len(pe.Params) == 0 {
			return p, problems, err
		}
		var qe *query.Error
		pr := newProblem(pe, v, errors.As(err, &qe), qe)
		problems = append(problems, pr)
		for _, name := range pe.Params {
			v.Del(name)
		}
	}
	p, err := bindSearch(nil) // unreachable: every round drops a parameter
	return p, problems, err
}

// paramNames are the Chinese names of the parameters, for messages.
var paramNames = map[string]string{
	"q": "检索词", "county": "县区", "program": "工作项目", "year": "年份",
	"year_from": "起始年份", "year_to": "截止年份", "sort": "排序方式",
	"page": "页码", "size": "每页条数", "date_from": "起始日期", "date_to": "截止日期",
	"in": "检索范围",
}

// newProblem words pe in Chinese. v holds the parameters as received.
func newProblem(pe *apiError, v url.Values, isQuery bool, qe *query.Error) problem {
	param := pe.Params[0]
	name := paramNames[param]
	if name == "" {
		name = "参数 " + param
	}
	val := clipValue(v.Get(param))
	pr := problem{Code: pe.Code, Param: param, err: pe}
	if isQuery {
		rs := []rune(v.Get("q"))
		at := qe.Pos - 1
		if at >= 0 && at <= len(rs) {
			pr.HasQ = true
			pr.QBefore = string(rs[:at])
			if at < len(rs) {
				pr.QAt, pr.QAfter = string(rs[at:at+1]), string(rs[at+1:])
			}
		}
	}
	pos := 0
	if qe != nil {
		pos = qe.Pos
	}
	switch pe.Code {
	case query.CodeUnbalancedQuote:
		pr.Message = fmt.Sprintf("检索词第 %d 个字符的引号没有配对：请补上另一半引号，或者删去它。", pos)
	case query.CodeNothingToExclude:
		pr.Message = fmt.Sprintf("检索词第 %d 个字符的减号后面没有要排除的词。", pos)
	case query.CodeDanglingOR:
		pr.Message = fmt.Sprintf("检索词第 %d 个字符处的 OR 缺少一侧的词：OR 要写在两个词之间。", pos)
	case query.CodeExcludedOR:
		pr.Message = fmt.Sprintf("检索词第 %d 个字符处：带减号排除的词不能用 OR 连接。", pos)
	case query.CodeNothingSearchable:
		pr.Message = fmt.Sprintf("检索词从第 %d 个字符起只有标点或符号，无法检索：请输入汉字、字母或数字。", pos)
	case query.CodeTooLong:
		pr.Message = fmt.Sprintf("检索词太长：最多 %d 个字符。", query.MaxLen)
	case query.CodeInvalidUTF8:
		pr.Message = name + "含有无法识别的字符（不是有效的 UTF-8 编码）。"
		if pos > 0 {
			pr.Message = fmt.Sprintf("检索词第 %d 个字符无法识别（不是有效的 UTF-8 编码）。", pos)
		}
	case codeYearRangeReversed:
		pr.Message = fmt.Sprintf("起始年份 %s 晚于截止年份 %s。", clipValue(v.Get("year_from")), clipValue(v.Get("year_to")))
	case codeInvalidYear:
		pr.Message = fmt.Sprintf("%s“%s”无效：应是 %d 到 %d 之间的年份。", name, val, minYear, maxYear)
	case codeDateRangeReversed:
		pr.Message = fmt.Sprintf("起始日期 %s 晚于截止日期 %s。", clipValue(v.Get("date_from")), clipValue(v.Get("date_to")))
	case codeInvalidDate:
		pr.Message = fmt.Sprintf("%s“%s”无效：应是 %d 到 %d 年之间的日期，如 2021-07-05。", name, val, minYear, maxYear)
	case codeInvalidIn:
		pr.Message = fmt.Sprintf("检索范围“%s”无效：可选全文（text）或只搜标题（headline）。", val)
	case codeInvalidSort:
		pr.Message = fmt.Sprintf("排序方式“%s”无效：可选相关度（relevance）、最新（newest）、最早（oldest）。", val)
	case codeInvalidNumber:
		pr.Message = fmt.Sprintf("%s“%s”无效：应是正整数。", name, val)
		if param == "size" {
			pr.Message = fmt.Sprintf("%s“%s”无效：应是 1 到 %d 之间的整数。", name, val, maxSize)
		}
	case codeWindowTooDeep:
		pr.Message = fmt.Sprintf("只能翻阅前 %d 条结果，第 %s 页超出了范围。", maxWindow, val)
	case codeTooManyValues:
		pr.Message = fmt.Sprintf("%s的筛选值太多：最多 %d 个。", name, maxFilterVals)
	default:
		pr.Message = fmt.Sprintf("%s有误：%s", name, pe.Message)
	}
	if isQuery {
		pr.Message += "下面是不含检索词的结果。"
	} else {
		pr.Message += "已忽略这一条件，下面是其余条件的结果。"
	}
	return pr
}

// setProblems puts the request's problems on the page, with the query
// help open when q was at fault.
func (l *layout) setProblems(problems []problem) {
	l.Problems = problems
	for _, p := range problems {
		if p.Param == "q" {
			l.HelpOpen = true
		}
	}
}

// errorPage is the data of the error page: for errors that leave nothing
// to show (no such article, the server busy).
type errorPage struct {
	layout
	Status  int
	Code    string
	Heading string
	Message string
}

// pageMessages are the Chinese messages of the errors the error page
// shows, by code; others show the API's message.
var pageMessages = map[string]string{
	codeNotFound:         "没有找到这个页面或条目。",
	codeTimeout:          "检索用时过长，已经停止：请缩小检索范围或增加筛选条件。",
	codeBusy:             "服务器正忙，请稍后再试。",
	codeTooManyRequests:  "请求太频繁，请稍后再试。",
	codeMethodNotAllowed: "不支持这种请求方式。",
	codeIndexUnavailable: "索引暂时无法使用，请稍后再试。",
	codeInternal:         "服务器内部错误。",
	codeRequestTooLarge:  "请求太大。",
}

// renderErrorPage shows an error that cannot be shown in place as a page,
// with the search box (holding the query as typed). The error handler
// falls back to JSON when it returns an error.
func renderErrorPage(c echo.Context, pe *apiError) error {
	r, ok := c.Echo().Renderer.(*pageRenderer)
	if !ok {
		return errors.New("no page renderer")
	}
	heading := map[int]string{
		http.StatusBadRequest:          "请求有误",
		http.StatusNotFound:            "没有找到这个页面",
		http.StatusTooManyRequests:     "请求太频繁，请稍后再试",
		http.StatusServiceUnavailable:  "检索暂时无法完成",
		http.StatusMethodNotAllowed:    "不支持这种请求方式",
		http.StatusRequestTimeout:      "请求超时",
		http.StatusInternalServerError: "服务器内部错误",
	}[pe.Status]
	if heading == "" {
		heading = "出错了"
	}
	msg := pageMessages[pe.Code]
	if msg == "" {
		msg = pe.Message
	}
	p, _ := bindSearch(nil)
	data := errorPage{
		layout: newLayout(c, heading, "/", newPageState(p)),
		Status: pe.Status, Code: pe.Code, Heading: heading, Message: msg,
	}
	data.HelpOpen = pe.Status == http.StatusBadRequest
	if strings.HasPrefix(c.Request().URL.Path, "/compare") {
		data.Action = "/compare"
	}
	var buf bytes.Buffer
	if err := r.Render(&buf, "error", data, c); err != nil {
		return err
	}
	return c.HTMLBlob(pe.Status, buf.Bytes())
}
