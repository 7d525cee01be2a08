package loadtest

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
)

// The chart: latency over the load's seconds, one colour per operation,
// its p50 a solid line and its p99 a dashed one, on a logarithmic scale
// of milliseconds. Written by hand as SVG 1.1.

const (
	chartWidth  = 1000
	chartHeight = 560
	plotLeft    = 80
	plotRight   = 760 // the legend is right of it
	plotTop     = 60
	plotBottom  = 500
)

// chartColors are the operations' colours, in the order of operations.
var chartColors = []string{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"}

// WriteSVG writes the chart of the report's timeline.
func (rep *Report) WriteSVG(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">
<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>
`, chartWidth, chartHeight, chartWidth, chartHeight, chartWidth, chartHeight)
	title := fmt.Sprintf("lpx load test %s (%s): latency per second, p50 solid, p99 dashed", rep.RunID, rep.Scenario)
	fmt.Fprintf(&b, `<text x="%d" y="30" font-size="16" font-weight="bold">%s</text>`+"\n", plotLeft, html.EscapeString(title))

	lastSecond, lo, hi := 1, math.Inf(1), 0.0
	for _, p := range rep.Timeline {
		lastSecond = max(lastSecond, p.Second)
		for _, v := range []float64{p.P50, p.P99} {
			if v > 0 {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if hi == 0 {
		lo, hi = 0.1, 10
	}
	// Whole decades around the data, at least one.
	yMin := math.Pow(10, math.Floor(math.Log10(math.Max(lo, 0.001))))
	yMax := math.Pow(10, math.Ceil(math.Log10(hi)))
	if yMax <= yMin {
		yMax = yMin * 10
	}
	x := func(second float64) float64 {
		return plotLeft + (plotRight-plotLeft)*second/float64(lastSecond)
	}
	y := func(ms float64) float64 {
		ms = math.Max(ms, yMin)
		return plotBottom - (plotBottom-plotTop)*math.Log10(ms/yMin)/math.Log10(yMax/yMin)
	}

	// Grid and axes.
	for d := yMin; d <= yMax*1.0001; d *= 10 {
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#cccccc"/>`+"\n", plotLeft, y(d), plotRight, y(d))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%s ms</text>`+"\n", plotLeft-6, y(d)+4, formatMillis(d))
		for _, k := range []float64{2, 5} {
			if d*k < yMax {
				fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#eeeeee"/>`+"\n", plotLeft, y(d*k), plotRight, y(d*k))
			}
		}
	}
	step := max(1, int(math.Ceil(float64(lastSecond)/10)))
	for s := 0; s <= lastSecond; s += step {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#eeeeee"/>`+"\n", x(float64(s)), plotTop, x(float64(s)), plotBottom)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%d</text>`+"\n", x(float64(s)), plotBottom+18, s)
	}
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#333333"/>`+"\n", plotLeft, plotTop, plotRight-plotLeft, plotBottom-plotTop)
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">seconds of load</text>`+"\n", (plotLeft+plotRight)/2, plotBottom+40)
	fmt.Fprintf(&b, `<text x="20" y="%d" text-anchor="middle" transform="rotate(-90 20 %d)">latency (log scale)</text>`+"\n", (plotTop+plotBottom)/2, (plotTop+plotBottom)/2)

	// One pair of lines per operation, the legend beside.
	legendY := plotTop + 10
	for i, op := range operations {
		var p50, p99 []string
		for _, p := range rep.Timeline {
			if p.Operation != op || p.Count == 0 {
				continue
			}
			// A point sits at the end of its second.
			p50 = append(p50, fmt.Sprintf("%.1f,%.1f", x(float64(p.Second)), y(p.P50)))
			p99 = append(p99, fmt.Sprintf("%.1f,%.1f", x(float64(p.Second)), y(p.P99)))
		}
		if len(p50) == 0 {
			continue
		}
		color := chartColors[i%len(chartColors)]
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"><title>%s p50</title></polyline>`+"\n", color, strings.Join(p50, " "), op)
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.5" stroke-dasharray="6 4" points="%s"><title>%s p99</title></polyline>`+"\n", color, strings.Join(p99, " "), op)
		if len(p50) == 1 { // a single second: a line needs two points
			fmt.Fprintf(&b, `<circle cx="%s" r="3" fill="%s"/>`+"\n", strings.Replace(p50[0], ",", `" cy="`, 1), color)
		}
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/>`+"\n", plotRight+20, legendY, plotRight+40, legendY, color)
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="1.5" stroke-dasharray="6 4"/>`+"\n", plotRight+20, legendY+8, plotRight+40, legendY+8, color)
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", plotRight+48, legendY+8, html.EscapeString(op))
		legendY += 28
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// formatMillis writes a decade of milliseconds without trailing zeros.
func formatMillis(ms float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", ms), "0"), ".")
}
