// The HTML report's script (web/src/report.ts with Vega and Vega-Lite), bundled by esbuild at
// build time, linked in as bytes: relc_report_script up to relc_report_script_end, then a NUL.
asm(".section .rodata\n"
    ".global relc_report_script\n"
    ".global relc_report_script_end\n"
    "relc_report_script:\n"
    ".incbin \"" RELC_REPORT_SCRIPT "\"\n"
    "relc_report_script_end:\n"
    ".byte 0\n"
    ".previous\n");
