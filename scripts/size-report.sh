#!/usr/bin/env bash
# Report raw and gzipped sizes of every built .wasm and check the budgets.
# Budgets (gzip -9 bytes): the size measured when each was set, plus a small margin.
#   app 294 KiB: the decoder page without a dissector or a dictionary: it asks the decoder
#     module (the embed's, below) for every dissection (298,344 B; before, with the decoder
#     linked in: 471,394 B; 520,569 B with the inspection tools: packet
#     captures, field filters, problem navigation, tree tools, the checksum tool; 485,591 B
#     with Leptos views type-erased, its JSON written by the core's serde-free writer and
#     base64 decoded without the base64 crate; 541,856 B with the wired M-Bus and SML
#     families and bit fields; 565,512 B with the frame builder, the comparison of two
#     frames, the text view of text protocols and copy id; 586,044 B with wireless M-Bus/OMS;
#     590,551 B with the reader's host functions (frames dissected for the reader's sessions,
#     a trace entry's text tree), its URL and the remembered language and theme; 594,471 B
#     with a long log in two passes: its split listed at once, then the check of every frame
#     with its progress, its stop and the rows not yet checked, 595,818 B with the log's
#     split arriving in three tasks); the reader is a module of its own.
#   embed .wasm 369 KiB: the decoder alone, and the decoder page's decoder since the page
#     loads it (375,408 B with its registry built once per module, 376,415 B before; with the page's entry points: dissections kept by handle, rendered
#     as packed views); with the analysis across frames (DLMS reassembly,
#     HLS checks, profile tables, DL/T 698.45 fragments), size-optimised throughout (301,445 B;
#     295,943 B with its JSON written by hand instead of serde_json and the core's own base64;
#     350,403 B with the wired M-Bus and SML families and bit fields; 371,934 B with
#     wireless M-Bus/OMS and its AES-CBC, AES-CTR and CMAC).
#   embed family modules 200 KiB each, the M-Bus one 220 KiB: the decoder with one family's
#     dissectors (and those it nests) and every family's framing, which a documentation
#     page that names its frames' protocol loads instead of the full decoder (sml 103,893 B,
#     iec62056 113,810 B, dlt645 114,082 B, dlt698 118,853 B, dlms with IEC 62056-21
#     193,482 B, qgdw1376 with DL/T 645 and 698.45 200,506 B; mbus, wired and wireless
#     with SML and the DLMS both nest, 217,185 B).
#   embed .js 11 KiB (10,643 B: 7,950 B before the family modules' loader and the
#     full module's entry points that say which families an input needs).
#   log worker .wasm 480 KiB: the decoder with LogSplitter and the benchmark's entry points,
#     its core at opt-level 3 for speed (359,423 B; 373,058 B with serial-assistant logs as
#     input and the 24-byte messages' static words, at opt-level 3; 364,020 B with the
#     embed's JSON writer and base64 decoder; 430,241 B with the wired M-Bus and SML families
#     and bit fields, at opt-level 3; 451,282 B with wireless M-Bus/OMS; 456,612 B with the
#     node helpers the optimiser inlines at opt-level 3; 475,186 B with CRC-16/X-25 and
#     CRC-16/EN-13757 read sixteen bytes a step, as natively, and the benchmark's entry
#     points that walk many inputs in one call; 487,618 B with the dissectors' node helpers
#     always inlined, as natively: 5-20% faster in Node, measured side by side; 483,662 B
#     with every crate at opt-level 3, not the core alone: 5-10% faster again).
#   reader .wasm 580 KiB: sessions, flows, transports, trace and chart, loaded when the reader
#     tab is first opened (418,137 B; 474,509 B with the Q/GDW 1376.2 concentrator and 1376.1
#     master station sessions, whose class data the 1376.1 dissector reads without its nested
#     dissectors; 486,115 B with progress, kept polls and the trace's summaries and text view;
#     486,823 B after 490,068 B, with Leptos views type-erased and the core's base64 decoder;
#     488,042 B with bit fields; 520,774 B with the M-Bus master, the wireless M-Bus and
#     SML listeners and their flows, whose frames the page's decoder dissects: 573,440 B when
#     the module carried the three dissectors itself; 566,912 B with the quantity picker
#     (the core's quantity table and its reads), Bluetooth probes and the chart with axes;
#     578,592 B with the trace streamed to a file and trace entries opened in place;
#     590,306 B with the trace a keyed list, 7.6 KB of it: a new entry adds its row and an
#     entry opened in place stays open while a live read goes on, where the whole list was
#     rebuilt and every opened entry closed at each entry before; keyed results and reports
#     lists measured 5.7 KB more and were left plain, being short; 591,746 B with a flow's
#     runs as a model and the client layer's errors in both languages).
#   simulated meters .wasm 170 KiB: loaded by the reader's demo mode on first use (153,700 B;
#     165,092 B with the Q/GDW 1376 carrier module and concentrator; 164,981 B with wasm-opt
#     -Oz run twice and the producers and target-features sections stripped; 172,921 B with
#     the M-Bus bus, the wireless M-Bus meters (AES-CBC) and the SML meter).
# The design's budgets are 400 KB for the app (met) and 200 KB for the embed: met by the
# family modules but the M-Bus one (Q/GDW 1376's within 200 KiB, 506 B over 200,000 B);
# the full decoder, which the page and an embed that detects its protocol load, is still
# the size above.
set -euo pipefail
cd "$(dirname "$0")/.."
APP_BUDGET=${APP_BUDGET:-301056}
EMBED_BUDGET=${EMBED_BUDGET:-377856}
EMBED_JS_BUDGET=${EMBED_JS_BUDGET:-11264}
FAMILY_BUDGET=${FAMILY_BUDGET:-204800}
MBUS_FAMILY_BUDGET=${MBUS_FAMILY_BUDGET:-225280}
SIM_BUDGET=${SIM_BUDGET:-174080}
READER_BUDGET=${READER_BUDGET:-593920}
WORKER_BUDGET=${WORKER_BUDGET:-491520}
fail=0
report() { # file budget
  local f=$1 budget=$2 raw gz
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c)
  printf 'wasm size: %-48s raw %8d  gzip %7d  budget %7d  %s\n' "$f" "$raw" "$gz" "$budget" "$([ "$gz" -le "$budget" ] && echo ok || echo OVER)"
  [ "$gz" -le "$budget" ] || fail=1
}
shopt -s nullglob
apps=(dist/*.wasm); embeds=(dist/embed/v*/*.wasm); readers=(dist/reader/*.wasm); workers=(dist/worker/*.wasm); sims=(dist/sim/*.wasm)
[ ${#apps[@]} -gt 0 ] || { echo "no dist/*.wasm: run trunk build --release first"; exit 1; }
for f in "${apps[@]}"; do report "$f" "$APP_BUDGET"; done
[ ${#embeds[@]} -gt 0 ] || { echo "no dist/embed/v*/*.wasm: the post_build hook did not run"; exit 1; }
for f in "${embeds[@]}"; do report "$f" "$EMBED_BUDGET"; done
families=(dist/embed/v*/family/*/*.wasm)
[ ${#families[@]} -ge 7 ] || { echo "dist/embed/v*/family/: ${#families[@]} family modules, 7 expected"; exit 1; }
for f in "${families[@]}"; do
  case $f in */family/mbus/*) report "$f" "$MBUS_FAMILY_BUDGET" ;; *) report "$f" "$FAMILY_BUDGET" ;; esac
done
[ ${#workers[@]} -gt 0 ] || { echo "no dist/worker/*.wasm: the post_build hook did not run"; exit 1; }
for f in "${workers[@]}"; do report "$f" "$WORKER_BUDGET"; done
[ ${#readers[@]} -gt 0 ] || { echo "no dist/reader/*.wasm: the post_build hook did not run"; exit 1; }
for f in "${readers[@]}"; do report "$f" "$READER_BUDGET"; done
[ ${#sims[@]} -gt 0 ] || { echo "no dist/sim/*.wasm: the post_build hook did not run"; exit 1; }
for f in "${sims[@]}"; do report "$f" "$SIM_BUDGET"; done
# The module's JavaScript (glue, wrapper, custom element), gzipped.
js=0; for f in "$(dirname "${embeds[0]}")"/*.js; do js=$((js + $(gzip -9 -c "$f" | wc -c))); done
printf 'js size:   %-48s gzip %7d  budget %7d  %s\n' "$(dirname "${embeds[0]}")/*.js" "$js" "$EMBED_JS_BUDGET" "$([ "$js" -le "$EMBED_JS_BUDGET" ] && echo ok || echo OVER)"
[ "$js" -le "$EMBED_JS_BUDGET" ] || fail=1
exit $fail
