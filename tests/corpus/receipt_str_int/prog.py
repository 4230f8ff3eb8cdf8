def receipt_line(item, cents):
    return item + ": " + cents + " cents"
