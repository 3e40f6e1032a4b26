#ifndef RELAIS_CCMARK_SHIM_H
#define RELAIS_CCMARK_SHIM_H
// GitHub's CommonMark implementation (Debian libcmark-gfm-dev and libcmark-gfm-extensions-dev):
// the facilitator guides of Protocols/sessions are Markdown with tables, shown as HTML on the
// session page. Raw HTML in a guide is dropped (no CMARK_OPT_UNSAFE): guides are data.
#include <stdlib.h>
#include <string.h>
#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

/// The HTML of `text` (`length` bytes), with GFM tables; malloc'd, to be freed by the caller.
static inline char *relais_markdown_to_html(const char *text, size_t length) {
    cmark_gfm_core_extensions_ensure_registered();
    cmark_parser *parser = cmark_parser_new(CMARK_OPT_DEFAULT);
    cmark_syntax_extension *table = cmark_find_syntax_extension("table");
    if (table) cmark_parser_attach_syntax_extension(parser, table);
    cmark_parser_feed(parser, text, length);
    cmark_node *document = cmark_parser_finish(parser);
    char *html = cmark_render_html(document, CMARK_OPT_DEFAULT, cmark_parser_get_syntax_extensions(parser));
    cmark_node_free(document);
    cmark_parser_free(parser);
    return html;
}
#endif
