// The HTML report's script (web/src/report.ts with Vega and Vega-Lite), bundled by esbuild at
// build time, linked in as bytes: relc_report_script up to relc_report_script_end, then a NUL;
// and the licences of the npm packages it bundles, likewise.
asm(".section .rodata\n"
    ".global relc_report_script\n"
    ".global relc_report_script_end\n"
    "relc_report_script:\n"
    ".incbin \"" RELC_REPORT_SCRIPT "\"\n"
    "relc_report_script_end:\n"
    ".byte 0\n"
    ".global relc_report_licenses\n"
    ".global relc_report_licenses_end\n"
    "relc_report_licenses:\n"
    ".incbin \"" RELC_REPORT_LICENSES "\"\n"
    "relc_report_licenses_end:\n"
    ".byte 0\n"
    ".previous\n");
