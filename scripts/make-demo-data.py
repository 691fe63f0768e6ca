#!/usr/bin/env python3
"""Writes the demo store's catalog (demo/central-catalog.csv: sku,name,price) and its opening
stock (demo/central-stock.csv: sku,qty): about 300 products with English and Chinese names.
The output is committed; run this only to change it. Deterministic (fixed seed)."""
import csv
import random
from pathlib import Path

random.seed(7)
out = Path(__file__).resolve().parent.parent / "demo"

groups = [
    ("TEA", 40, 600, [("Longjing green tea", "龙井茶"), ("Pu'er tea cake", "普洱茶饼"), ("Jasmine tea", "茉莉花茶"),
                      ("Tieguanyin oolong", "铁观音"), ("Da Hong Pao", "大红袍"), ("Biluochun", "碧螺春"),
                      ("White peony tea", "白牡丹"), ("Keemun black tea", "祁门红茶"), ("Chrysanthemum tea", "菊花茶"),
                      ("Dianhong black tea", "滇红")],
     [("25g", "25克"), ("50g", "50克"), ("100g", "100克"), ("250g", "250克"), ("500g", "500克")]),
    ("WARE", 30, 900, [("Celadon tea cup", "青瓷茶杯"), ("Yixing clay teapot", "紫砂壶"), ("Gaiwan", "盖碗"),
                       ("Glass teapot", "玻璃茶壶"), ("Tea tray", "茶盘"), ("Fair cup", "公道杯"), ("Tea strainer", "茶漏"),
                       ("Bamboo tea scoop", "茶则"), ("Tea canister", "茶叶罐"), ("Travel tea set", "旅行茶具")],
     [("white", "白色"), ("blue", "蓝色"), ("celadon", "青色"), ("black", "黑色"), ("red", "红色"), ("gold", "金色")]),
    ("SNK", 12, 160, [("Mooncake", "月饼"), ("Sesame candy", "芝麻糖"), ("Dried mango", "芒果干"), ("Walnut cookies", "核桃酥"),
                      ("Hawthorn flakes", "山楂片"), ("Pineapple cake", "凤梨酥"), ("Egg rolls", "蛋卷"), ("Melon seeds", "瓜子"),
                      ("Peanut brittle", "花生糖"), ("Red bean cake", "红豆糕")],
     [("small box", "小盒"), ("gift box", "礼盒"), ("family pack", "家庭装"), ("travel pack", "随身装")]),
    ("STA", 8, 400, [("Brush pen", "毛笔"), ("Ink stick", "墨条"), ("Rice paper", "宣纸"), ("Notebook", "笔记本"),
                     ("Fountain pen", "钢笔"), ("Seal stone", "印章石"), ("Calligraphy set", "书法套装"), ("Bookmark", "书签")],
     [("classic", "经典款"), ("bamboo", "竹制"), ("sandalwood", "檀木"), ("landscape", "山水"), ("plum blossom", "梅花"), ("mini", "迷你")]),
    ("HOME", 15, 700, [("Silk scarf", "丝巾"), ("Paper fan", "纸扇"), ("Porcelain bowl", "瓷碗"), ("Chopsticks set", "筷子套装"),
                       ("Bamboo basket", "竹篮"), ("Incense", "线香"), ("Lantern", "灯笼"), ("Ceramic vase", "陶瓷花瓶"),
                       ("Cotton towel", "棉毛巾"), ("Jade bracelet", "玉手镯")],
     [("small", "小号"), ("medium", "中号"), ("large", "大号"), ("red", "红色"), ("blue", "蓝色"), ("green", "绿色"),
      ("gift", "礼品装"), ("set of 2", "两件套")]),
    ("FOOD", 9, 120, [("Wildflower honey", "百花蜜"), ("Northeast rice", "东北大米"), ("Wheat noodles", "挂面"),
                      ("Light soy sauce", "生抽"), ("Black vinegar", "陈醋"), ("Sesame oil", "芝麻油")],
     [("small", "小瓶"), ("regular", "标准装"), ("large", "大瓶"), ("value pack", "实惠装")]),
]

products, stock = [], []
for prefix, low, high, items, variants in groups:
    n = 0
    for en, zh in items:
        base = random.uniform(low, high / 3)
        for vi, (ven, vzh) in enumerate(variants):
            n += 1
            sku = f"{prefix}-{n:03d}"
            price = round(base * (1 + 0.5 * vi) * 2) / 2
            products.append((sku, f"{en} {ven} · {zh} {vzh}", f"{price:.2f}"))
            # Most shelves are full; a few are nearly empty so the low-stock list has something.
            qty = random.choice([0, 1, 2, 3, 4]) if random.random() < 0.06 else random.randint(8, 120)
            stock.append((sku, qty))

with open(out / "central-catalog.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["sku", "name", "price"])
    w.writerows(products)
with open(out / "central-stock.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["sku", "qty"])
    w.writerows(stock)
print(f"{len(products)} products")
