package report

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// svg.go lays out a Sequence as an SVG sequence diagram that kerbtrace
// draws itself (no script, no web font): lifelines for the participants,
// one arrow per message with its frame number, the failing ones red and
// crossed, notes for failures and steps never seen. The layout is computed
// from the text lengths in a monospace font, so it needs no font metrics
// and is the same on every machine. html.go's template writes it out, with
// html/template's escaping.

// Layout constants, in pixels; the diagram's text is 12px monospace.
const (
	svgCharW    = 7.3 // advance of one character (DejaVu Sans Mono, Liberation Mono: 0.6em)
	svgMargin   = 16
	svgBoxH     = 30
	svgArrowH   = 30
	svgLineH    = 15
	svgMinGap   = 170
	svgNoteMinW = 280
	svgMaxLabel = 90 // runes of an arrow label; the full text is in the tooltip
	svgMaxLines = 4  // lines of a note
	svgMaxBox   = 64 // runes of a participant's label
)

// svgDiagram is a laid-out sequence: every coordinate computed, every text
// raw (the template escapes).
type svgDiagram struct {
	Width, Height int
	Boxes         []svgBox
	Lifelines     []svgLifeline
	Arrows        []svgArrow
	Notes         []svgNote
}

type svgBox struct {
	X, Y, W, H, TX, TY int
	Label              string
}

type svgLifeline struct{ X, Y1, Y2 int }

type svgArrow struct {
	X1, X2, Y, TX, TY int
	Frame             int
	Response, Failed  bool
	Head              string // polygon points of the arrow head
	Cross             string // path of the cross drawn instead for a failed message
	Label, Title      string
}

type svgNote struct {
	X, Y, W, H, TX int
	Failed         bool
	Lines          []svgText
}

type svgText struct {
	Y    int
	Text string
}

// textW is the drawn width of s.
func textW(s string) float64 { return float64(utf8.RuneCountInString(s)) * svgCharW }

// layoutSVG computes the drawing of s.
func layoutSVG(s *Sequence) svgDiagram {
	var d svgDiagram
	n := len(s.Participants)
	if n == 0 {
		return d
	}
	xs := lifelineXs(s)
	top := svgMargin + svgBoxH
	y := top + 16
	right := xs[n-1] + boxW(boxLabel(&s.Participants[n-1]))/2
	for _, it := range s.Items {
		if a := it.Arrow; a != nil {
			d.Arrows = append(d.Arrows, svgArrowAt(a, xs, y))
			y += svgArrowH
			continue
		}
		nt := svgNoteAt(it.Note, xs, y)
		d.Notes = append(d.Notes, nt)
		right = math.Max(right, float64(nt.X+nt.W))
		y += nt.H + 8
	}
	if s.Omitted > 0 {
		nt := svgNoteAt(&Note{From: 0, To: n - 1, Text: strconv.Itoa(s.Omitted) + " more messages not drawn (see the JSON report)"}, xs, y)
		d.Notes = append(d.Notes, nt)
		y += nt.H + 8
	}
	for i, p := range s.Participants {
		l := boxLabel(&p)
		w := boxW(l)
		x := xs[i] - w/2
		d.Boxes = append(d.Boxes, svgBox{X: round(x), Y: svgMargin, W: round(w), H: svgBoxH, TX: round(xs[i]), TY: svgMargin + 19, Label: l})
		d.Lifelines = append(d.Lifelines, svgLifeline{X: round(xs[i]), Y1: top, Y2: y})
	}
	d.Width = round(right) + svgMargin
	d.Height = y + svgMargin
	return d
}

func round(f float64) int { return int(math.Round(f)) }

func boxW(label string) float64 { return textW(label) + 20 }

// boxLabel is a participant's label, clipped for its box.
func boxLabel(p *Participant) string { return clip(p.Label(), svgMaxBox) }

// lifelineXs places the lifelines: each gap wide enough for the two boxes
// beside it and for the labels of the arrows spanning it (shorter spans
// first, so a long arrow widens only what its short neighbours left).
func lifelineXs(s *Sequence) []float64 {
	n := len(s.Participants)
	gaps := make([]float64, max(n-1, 0))
	for i := range gaps {
		gaps[i] = math.Max(svgMinGap, (boxW(boxLabel(&s.Participants[i]))+boxW(boxLabel(&s.Participants[i+1])))/2+16)
	}
	var arrows []*Arrow
	for _, it := range s.Items {
		if it.Arrow != nil && it.Arrow.From != it.Arrow.To {
			arrows = append(arrows, it.Arrow)
		}
	}
	span := func(a *Arrow) (int, int) { return min(a.From, a.To), max(a.From, a.To) }
	sort.SliceStable(arrows, func(i, j int) bool {
		li, ri := span(arrows[i])
		lj, rj := span(arrows[j])
		return ri-li < rj-lj
	})
	for _, a := range arrows {
		l, r := span(a)
		need := textW(a.label(svgMaxLabel)) + 30
		have := 0.0
		for _, g := range gaps[l:r] {
			have += g
		}
		if have < need {
			for k := l; k < r; k++ {
				gaps[k] += (need - have) / float64(r-l)
			}
		}
	}
	xs := make([]float64, n)
	xs[0] = svgMargin + boxW(boxLabel(&s.Participants[0]))/2
	for i := 1; i < n; i++ {
		xs[i] = xs[i-1] + gaps[i-1]
	}
	return xs
}

// svgArrowAt draws arrow a with its line at height y+18 and label above.
func svgArrowAt(a *Arrow, xs []float64, y int) svgArrow {
	x1, x2 := xs[a.From], xs[a.To]
	if a.From == a.To {
		x2 = x1 + 40
	}
	label := a.Label()
	out := svgArrow{X1: round(x1), X2: round(x2), Y: y + 18, TX: round((x1 + x2) / 2), TY: y + 12,
		Frame: a.Frames[0], Response: a.Response, Failed: a.Failed, Label: a.label(svgMaxLabel), Title: label}
	dir := 1.0
	if x2 < x1 {
		dir = -1
	}
	ly := float64(out.Y)
	if a.Failed {
		c := x2 - dir*7
		out.Cross = "M" + num(c-6) + " " + num(ly-6) + " L" + num(c+6) + " " + num(ly+6) +
			" M" + num(c-6) + " " + num(ly+6) + " L" + num(c+6) + " " + num(ly-6)
	} else {
		out.Head = num(x2) + "," + num(ly) + " " + num(x2-dir*9) + "," + num(ly-4.5) + " " + num(x2-dir*9) + "," + num(ly+4.5)
	}
	return out
}

func num(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

// svgNoteAt draws note nt across its participants from height y, its text
// wrapped to the box.
func svgNoteAt(nt *Note, xs []float64, y int) svgNote {
	l, r := xs[min(nt.From, nt.To)]-30, xs[max(nt.From, nt.To)]+30
	if w := r - l; w < svgNoteMinW {
		l, r = l-(svgNoteMinW-w)/2, r+(svgNoteMinW-w)/2
	}
	if l < svgMargin {
		l, r = svgMargin, r+(svgMargin-l)
	}
	text := nt.Text
	if nt.Failed {
		text = "✖ " + text
	}
	lines := wrapText(text, int((r-l-16)/svgCharW), svgMaxLines)
	out := svgNote{X: round(l), Y: y, W: round(r - l), H: len(lines)*svgLineH + 10, TX: round(l + 8), Failed: nt.Failed}
	for i, t := range lines {
		out.Lines = append(out.Lines, svgText{Y: y + 17 + i*svgLineH, Text: t})
	}
	return out
}

// wrapText breaks s into at most maxLines lines of at most width runes, at
// spaces where it can; the last line is clipped with "…".
func wrapText(s string, width, maxLines int) []string {
	width = max(width, 10)
	var lines []string
	for s != "" && len(lines) < maxLines {
		if utf8.RuneCountInString(s) <= width {
			lines = append(lines, s)
			return lines
		}
		if len(lines) == maxLines-1 {
			lines = append(lines, clip(s, width))
			return lines
		}
		cut := runeOffset(s, width)
		if sp := strings.LastIndexByte(s[:cut], ' '); sp > 0 {
			cut = sp
		}
		lines = append(lines, s[:cut])
		s = strings.TrimLeft(s[cut:], " ")
	}
	return lines
}

// runeOffset is the byte offset of rune n of s (len(s) if s is shorter).
func runeOffset(s string, n int) int {
	i := 0
	for j := range s {
		if i == n {
			return j
		}
		i++
	}
	return len(s)
}
