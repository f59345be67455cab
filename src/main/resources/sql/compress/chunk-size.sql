-- The size statistics TimescaleDB recorded when it compressed chunk id ?1; NULL row counts
-- (chunks compressed under TimescaleDB 1.x) become 0.
SELECT uncompressed_heap_size, uncompressed_toast_size, uncompressed_index_size,
       compressed_heap_size, compressed_toast_size, compressed_index_size,
       COALESCE(numrows_pre_compression, 0), COALESCE(numrows_post_compression, 0)
  FROM _timescaledb_catalog.compression_chunk_size
 WHERE chunk_id = ?
