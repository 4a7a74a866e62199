"""Reading corpora and writing tables."""

from kotoba_code.io.readers import read_corpus, read_table, read_transcripts
from kotoba_code.io.writers import write_table
from kotoba_code.textfile import decode_bytes

__all__ = ["decode_bytes", "read_corpus", "read_table", "read_transcripts", "write_table"]
