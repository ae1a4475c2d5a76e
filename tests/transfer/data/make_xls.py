"""Write legacy_contacts.xls, an Excel 97-2003 workbook as old CRMs export it: a first sheet of contacts
with Chinese headers (numbers and dates typed as such) and a second sheet named 说明.

xlwt is not a dependency of Guanxi (nothing writes XLS); run this in a throw-away environment:

    python -m venv /tmp/xls && /tmp/xls/bin/pip install xlwt
    /tmp/xls/bin/python tests/transfer/data/make_xls.py tests/transfer/data/legacy_contacts.xls
"""

import datetime as dt
import sys

import xlwt

book = xlwt.Workbook(encoding="utf-8")
sheet = book.add_sheet("联系人")
headers = ["姓名", "手机", "邮箱", "公司", "职务", "生日"]
rows = [
    [
        "陈静",
        "13512345678",
        "Chen.Jing@Example.cn",
        "成都金石医疗器械有限责任公司",
        "采购经理",
        dt.date(1988, 3, 14),
    ],
    [
        "Tom Baker",
        "+86 138 0013 8000",
        "tom.baker@acme.example",
        "Acme Robotics Inc.",
        "CTO",
        dt.date(1979, 11, 2),
    ],
    ["刘洋", 13900139000, "", "杭州星辰网络科技有限公司", "", None],
    ["", "13700000000", "broken-email", "无名公司", "", None],
]
date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
for c, h in enumerate(headers):
    sheet.write(0, c, h)
for r, row in enumerate(rows, start=1):
    for c, v in enumerate(row):
        if v is None:
            continue
        if isinstance(v, dt.date):
            sheet.write(r, c, v, date_style)
        else:
            sheet.write(r, c, v)
notes = book.add_sheet("说明")
notes.write(0, 0, "备注")
notes.write(1, 0, "导出自旧系统")
book.save(sys.argv[1])
