// `relais-report-bench`: the yearly report over 100 programmes × 16 participants (to be written).
print("report benchmark: not written yet")
