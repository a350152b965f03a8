"""The hazard record in the national 双重预防 interface's format (隐患信息), for a period."""
