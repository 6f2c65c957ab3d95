/*
 * html: the shared skeleton, style and cells of the report's pages (html.h).
 */
#include "html.h"

#include <string.h>

#include "escape.h"
#include "numfmt.h"

/*
 * One style sheet for every page: 1280 px screens, phones (390 px: tables
 * scroll sideways inside their box, charts keep their text size) and A4
 * print (the feedback sheet sent as a PDF).  Fonts are those installed on
 * the reader's machine (Noto CJK on Debian, PingFang on a Mac or phone,
 * YaHei on Windows); nothing is downloaded.
 */
static const char style[] =
    ":root{--fg:#1f2933;--muted:#5f6b7a;--line:#d4dae2;--head:#eef2f7;--bar:#2f6db5;"
    "--low:#c77700;--high:#b8322a;--warn-bg:#fdf0ee;--warn:#b8322a;--ok:#2e7d32}\n"
    "*{box-sizing:border-box}\n"
    "html{-webkit-text-size-adjust:100%;text-size-adjust:100%}\n"
    "body{margin:0;color:var(--fg);background:#fff;line-height:1.5;font-size:15px;"
    "font-family:\"Noto Sans CJK SC\",\"Noto Sans SC\",\"Source Han Sans SC\",\"PingFang SC\","
    "\"Hiragino Sans GB\",\"Microsoft YaHei\",\"WenQuanYi Micro Hei\",sans-serif}\n"
    "main{max-width:1240px;margin:0 auto;padding:16px 20px 32px}\n"
    "h1{font-size:1.55rem;margin:.3em 0 .2em}\n"
    "h2{font-size:1.2rem;margin:1.6em 0 .6em;padding-bottom:4px;border-bottom:2px solid "
    "var(--line)}\n"
    "h3{font-size:1.02rem;margin:1.2em 0 .4em}\n"
    "a{color:#1f5fa8}\n"
    ".meta,.note{color:var(--muted);font-size:.88rem}\n"
    "nav{font-size:.92rem;margin:.4em 0}\n"
    "nav a{margin-right:1em;white-space:nowrap}\n"
    ".lead{font-size:1.02rem;padding:8px 12px;border-left:4px solid "
    "var(--line);background:#f7f9fb}\n"
    ".lead.bad{border-left-color:var(--warn);background:var(--warn-bg)}\n"
    ".lead.good{border-left-color:var(--ok)}\n"
    ".scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}\n"
    ".swipe{display:none;color:var(--muted);font-size:.8rem}\n"
    "table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.2em 0 .8em}\n"
    "th,td{border:1px solid var(--line);padding:5px 8px;vertical-align:top;text-align:left}\n"
    "thead th{background:var(--head);white-space:nowrap}\n"
    "th.num,td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}\n"
    "td.num small{display:block;color:var(--muted)}\n"
    "td.col{white-space:nowrap}\n"
    "table.rejects td:nth-child(2),table.checks td:first-child{min-width:8em}\n"
    "tr.total th,tr.total td{background:#f7f9fb;font-weight:600}\n"
    "tr.problem td{background:var(--warn-bg)}\n"
    ".tag{display:inline-block;padding:0 .5em;border-radius:.7em;font-size:.8rem;"
    "white-space:nowrap;background:var(--warn);color:#fff}\n"
    ".tag.ok{background:var(--ok)}\n"
    ".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(165px,1fr));gap:8px;"
    "margin:.6em 0}\n"
    ".card{border:1px solid var(--line);border-radius:6px;padding:6px 10px}\n"
    ".card .k{color:var(--muted);font-size:.82rem}\n"
    ".card .v{font-size:1.25rem;font-variant-numeric:tabular-nums;text-align:right}\n"
    ".card .s{font-size:.8rem;color:var(--muted);text-align:right}\n"
    ".card .v.t{font-size:.95rem;padding-top:.3em;white-space:nowrap}\n"
    ".card.bad{border-color:var(--warn)}.card.bad .v{color:var(--warn)}\n"
    ".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,520px),1fr));"
    "gap:8px 28px}\n"
    ".chart-box{min-width:0}\n"
    "svg.chart{display:block;width:100%;overflow:visible;font-size:13px}\n"
    "svg.chart text{fill:var(--fg)}\n"
    "svg.chart text.value{fill:var(--muted);font-variant-numeric:tabular-nums}\n"
    "svg.chart .track{fill:#eef1f5}\n"
    "svg.chart .bar{fill:var(--bar)}\n"
    "svg.chart .bar.low{fill:var(--low)}\n"
    "svg.chart .bar.high{fill:var(--high)}\n"
    "svg.chart .mark{stroke:var(--warn);stroke-width:1.5;stroke-dasharray:4 3}\n"
    "svg.chart text.mark-label{fill:var(--warn);font-size:11px}\n"
    ".legend{font-size:.82rem;color:var(--muted)}\n"
    ".legend i{display:inline-block;width:10px;height:10px;margin:0 3px 0 10px;"
    "vertical-align:baseline}\n"
    "code.raw{font-family:\"Noto Sans Mono CJK SC\",monospace;white-space:pre-wrap;"
    "word-break:break-all;background:#f4f6f8;padding:0 3px;border-radius:3px}\n"
    ".path{display:block;color:var(--muted);font-size:.78rem;overflow-wrap:anywhere}\n"
    ".code{color:var(--muted);font-size:.78rem;overflow-wrap:anywhere}\n"
    "footer{margin-top:2.4em;border-top:1px solid var(--line);padding-top:6px}\n"
    "table.depts{min-width:880px}\n"
    "@media (max-width:640px){body{font-size:14px}main{padding:10px 10px 24px}"
    "h1{font-size:1.3rem}th,td{padding:4px 6px}.card .v{font-size:1.1rem}.swipe{display:block}"
    "table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:auto}"
    "table.stack thead{display:none}"
    "table.stack tr{border:1px solid var(--line);border-radius:6px;margin:0 0 10px;padding:6px "
    "10px}"
    "table.stack td{border:none;padding:2px 0;min-width:0!important}"
    "table.stack td:empty{display:none}"
    "table.stack td.num,table.stack td.col{text-align:left;white-space:normal}"
    "table.stack td[data-label]::before{content:attr(data-label);display:inline-block;"
    "min-width:4.5em;margin-right:.5em;color:var(--muted);font-size:.8rem}"
    "table.stack td.num small{display:inline;margin-left:.6em}}\n"
    "@media print{@page{size:A4;margin:14mm 12mm}"
    "body{font-size:10pt;-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "main{max-width:none;padding:0}nav,.noprint{display:none}"
    ".scroll{overflow:visible}table{font-size:8.5pt}th,td{padding:3px 5px}"
    "thead{display:table-header-group}tr,svg,.card{break-inside:avoid}"
    "h2,h3{break-after:avoid}a{color:inherit;text-decoration:none}"
    ".charts{display:block}}\n";

void html_begin(FILE *out, const char *title, const char *body_class)
{
	fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; img-src data:\">\n"
	      "<meta name=\"generator\" content=\"budget-etl report\">\n<title>",
	      out);
	esc_html(out, title);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body class=\"%s\">\n<main>\n", style,
	        body_class);
}

void html_end(FILE *out, const char *generated_at, const char *tz)
{
	fputs("<footer class=\"note\">由 budget-etl 根据数据库视图 mart 生成（数据截至 ", out);
	esc_html(out, generated_at);
	fputs("，时区 ", out);
	esc_html(out, tz);
	fputs("）。金额单位为万元，保留两位小数（四舍五入），表中小字为元。</footer>\n"
	      "</main>\n</body>\n</html>\n",
	      out);
}

const char *html_stage(const char *stage)
{
	if (strcmp(stage, "budget") == 0)
		return "预算";
	if (strcmp(stage, "final") == 0)
		return "决算";
	if (strcmp(stage, "adjusted") == 0)
		return "调整预算";
	return "";
}

const char *html_scope(const char *scope)
{
	if (strcmp(scope, "department") == 0)
		return "部门";
	if (strcmp(scope, "unit") == 0)
		return "单位";
	return "";
}

const char *html_wan(const char *yuan, char *buf)
{
	if (!*yuan || !numfmt_wan(yuan, buf, NUMFMT_MAX))
		return "—";
	return buf;
}

const char *html_yuan(const char *yuan, char *buf)
{
	if (!*yuan || !numfmt_scale(yuan, 0, 2, buf, NUMFMT_MAX))
		return "—";
	return buf;
}

const char *html_int(const char *n, char *buf)
{
	if (!*n || !numfmt_group(n, buf, NUMFMT_MAX))
		return "—";
	return buf;
}

const char *html_pct(const char *fraction, char *buf)
{
	size_t n;

	if (!*fraction || !numfmt_pct(fraction, buf, NUMFMT_MAX - 1))
		return "—";
	n = strlen(buf);
	buf[n] = '%';
	buf[n + 1] = '\0';
	return buf;
}

void html_num_cell(FILE *out, const char *text)
{
	fprintf(out, "<td class=\"num\">%s</td>", text);
}

void html_td(FILE *out, const char *cls, const char *label)
{
	fputs("<td", out);
	if (cls) {
		fputs(" class=\"", out);
		esc_html(out, cls);
		putc('"', out);
	}
	if (label) {
		fputs(" data-label=\"", out);
		esc_html(out, label);
		putc('"', out);
	}
	putc('>', out);
}

void html_amount_cell(FILE *out, const char *label, const char *yuan)
{
	char a[NUMFMT_MAX], b[NUMFMT_MAX];

	html_td(out, "num", label);
	if (!*yuan)
		fputs("—</td>", out);
	else
		fprintf(out, "%s<small>%s 元</small></td>", html_wan(yuan, a), html_yuan(yuan, b));
}

void html_text_cell(FILE *out, const char *text)
{
	fputs("<td>", out);
	esc_html(out, text);
	fputs("</td>", out);
}
