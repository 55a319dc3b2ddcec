def array3d(s): return None
