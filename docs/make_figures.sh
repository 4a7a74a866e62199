#!/bin/sh
# Regenerates the figures and outputs shown in docs/tutorial.md.
set -e
cd "$(dirname "$0")/.."
IN="corpus/answers.csv --text-col answer --id-col id -q"
kotoba-code freq $IN --codebook welfare_employment --by group -o docs/figures/themes_by_group.png
kotoba-code network $IN --codebook welfare_employment -o docs/figures/word_network.png
kotoba-code network $IN --codebook welfare_employment --of codes -o docs/figures/code_network.png
kotoba-code network $IN --codebook welfare_employment --by group -o docs/figures/group_network.png
kotoba-code synthesize $IN --codebook welfare_employment --by group -o docs/figures/synthesis.md
