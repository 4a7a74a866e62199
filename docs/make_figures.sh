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
# Statistical analyses (tutorial section 9)
kotoba-code ca $IN --codebook welfare_employment --by question -o docs/figures/ca_words_question.png -o docs/figures/ca_words_question.csv
kotoba-code ca $IN --codebook welfare_employment --by question --of codes -o docs/figures/ca_codes_question.png
kotoba-code mds $IN --codebook welfare_employment -o docs/figures/mds_words.png
kotoba-code cluster $IN --codebook welfare_employment --of codes -o docs/figures/cluster_codes.png -o docs/figures/cluster_codes.csv
kotoba-code topics $IN --codebook welfare_employment --find-k 2:12 -o docs/figures/topics_find_k.png
kotoba-code topics $IN --codebook welfare_employment --k 8 --by group -o docs/figures/topics.md
kotoba-code related $IN --codebook welfare_employment --term 交通費 -o docs/figures/related_kotsuhi.md -o docs/figures/related_kotsuhi.png
kotoba-code search $IN --codebook welfare_employment --rule '$hw & 交通費' --by group -o docs/figures/search_hw_kotsuhi.md
