/*
 * svg: horizontal bar charts as inline SVG (svg.h).
 */
#include "svg.h"

#include "escape.h"

#define ROW     36 /* pixels per item */
#define LABEL_Y 15 /* baseline of the label, from the item's top */
#define BAR_Y   20 /* top of the bar, from the item's top */
#define BAR_H   12

/* n (0..10000) as a percentage with two decimals: "63.45%". */
static void pct(FILE *out, int n)
{
	if (n < 0)
		n = 0;
	if (n > 10000)
		n = 10000;
	fprintf(out, "%d.%02d%%", n / 100, n % 100);
}

void svg_bars(FILE *out, const struct svg_chart *c)
{
	int top = c->mark >= 0 ? 20 : 2;
	int height = top + c->n * ROW + 4;

	fputs("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\"", out);
	if (c->id) {
		fputs(" id=\"", out);
		esc_html(out, c->id);
		putc('"', out);
	}
	fprintf(out, " width=\"100%%\" height=\"%d\" aria-label=\"", height);
	esc_html(out, c->title);
	fputs("\"><title>", out);
	esc_html(out, c->title);
	fputs("</title>\n", out);
	for (int i = 0; i < c->n; i++) {
		const struct svg_bar *b = &c->bars[i];
		int y = top + i * ROW;

		fprintf(out, "<text class=\"label\" x=\"0\" y=\"%d\">", y + LABEL_Y);
		esc_html(out, b->label);
		fprintf(out,
		        "</text><text class=\"value\" x=\"100%%\" y=\"%d\" text-anchor=\"end\">",
		        y + LABEL_Y);
		esc_html(out, b->value);
		fprintf(out,
		        "</text>\n<rect class=\"track\" x=\"0\" y=\"%d\" width=\"100%%\" "
		        "height=\"%d\"/>",
		        y + BAR_Y, BAR_H);
		fputs("<rect class=\"bar", out);
		if (b->tone && *b->tone) {
			putc(' ', out);
			esc_html(out, b->tone);
		}
		putc('"', out);
		if (b->code) {
			fputs(" data-code=\"", out);
			esc_html(out, b->code);
			putc('"', out);
		}
		fprintf(out, " x=\"0\" y=\"%d\" width=\"", y + BAR_Y);
		pct(out, b->length);
		fprintf(out, "\" height=\"%d\"><title>", BAR_H);
		esc_html(out, b->label);
		fputs("：", out);
		esc_html(out, b->value);
		fputs("</title></rect>\n", out);
	}
	if (c->mark >= 0) {
		/* 100 %: a dashed tick across each bar, and its label on top */
		for (int i = 0; i < c->n; i++) {
			int y = top + i * ROW + BAR_Y;

			fputs("<line class=\"mark\" x1=\"", out);
			pct(out, c->mark);
			fputs("\" x2=\"", out);
			pct(out, c->mark);
			fprintf(out, "\" y1=\"%d\" y2=\"%d\"/>", y - 3, y + BAR_H + 3);
		}
		fputs("<text class=\"mark-label\" x=\"", out);
		pct(out, c->mark);
		fputs("\" y=\"12\" text-anchor=\"middle\">100%</text>\n", out);
	}
	fputs("</svg>\n", out);
}
