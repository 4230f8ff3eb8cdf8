def coldest(temperatures):
    return max(temperatures)
