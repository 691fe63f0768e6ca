//! Every label a report prints, in English and 简体中文.

use storedesk_domain::{Channel, OrderStatus};

use crate::{Lang, ReportKind};

pub struct Texts {
    pub sales_title: &'static str,
    pub stock_title: &'static str,
    pub orders_title: &'static str,
    pub store: &'static str,
    pub till: &'static str,
    pub staff: &'static str,
    pub period: &'static str,
    pub as_of: &'static str,
    pub generated: &'static str,
    pub page: &'static str,
    pub totals: &'static str,
    pub by_day: &'static str,
    pub by_sku: &'static str,
    pub by_channel: &'static str,
    pub by_method: &'static str,
    pub daily_sales: &'static str,
    pub section: &'static str,
    pub key: &'static str,
    pub date: &'static str,
    pub sku: &'static str,
    pub name: &'static str,
    pub channel: &'static str,
    pub method: &'static str,
    pub orders: &'static str,
    pub quantity: &'static str,
    pub gross: &'static str,
    pub refunds: &'static str,
    pub net: &'static str,
    pub paid_orders: &'static str,
    pub cancellations: &'static str,
    pub cancelled_value: &'static str,
    pub refunds_cancellations: &'static str,
    pub refunds_returns: &'static str,
    pub on_hand: &'static str,
    pub reserved: &'static str,
    pub available: &'static str,
    pub price: &'static str,
    pub value: &'static str,
    pub low_stock: &'static str,
    pub low_stock_mark: &'static str,
    pub number: &'static str,
    pub created: &'static str,
    pub status: &'static str,
    pub customer: &'static str,
    pub unit_price: &'static str,
    pub line_amount: &'static str,
    pub order_total: &'static str,
    pub amount: &'static str,
    pub total: &'static str,
    pub none: &'static str,
}

static EN: Texts = Texts {
    sales_title: "Sales report",
    stock_title: "Stock report",
    orders_title: "Orders report",
    store: "Store",
    till: "Till",
    staff: "Staff",
    period: "Period",
    as_of: "As of",
    generated: "Generated",
    page: "Page",
    totals: "Totals",
    by_day: "By day",
    by_sku: "By SKU",
    by_channel: "By channel",
    by_method: "By payment method",
    daily_sales: "Daily net sales",
    section: "Section",
    key: "Key",
    date: "Date",
    sku: "SKU",
    name: "Name",
    channel: "Channel",
    method: "Method",
    orders: "Orders",
    quantity: "Quantity",
    gross: "Sales",
    refunds: "Refunds",
    net: "Net",
    paid_orders: "Paid orders",
    cancellations: "Cancelled orders",
    cancelled_value: "Cancelled value",
    refunds_cancellations: "Refunds for cancellations",
    refunds_returns: "Refunds for returns",
    on_hand: "On hand",
    reserved: "Reserved",
    available: "Available",
    price: "Price",
    value: "Value at price",
    low_stock: "Low stock",
    low_stock_mark: "LOW",
    number: "Order",
    created: "Created",
    status: "Status",
    customer: "Customer",
    unit_price: "Unit price",
    line_amount: "Line amount",
    order_total: "Order total",
    amount: "Amount",
    total: "Total",
    none: "Nothing in this period.",
};

static ZH: Texts = Texts {
    sales_title: "销售报表",
    stock_title: "库存报表",
    orders_title: "订单报表",
    store: "门店",
    till: "收银台",
    staff: "员工",
    period: "期间",
    as_of: "截至",
    generated: "生成时间",
    page: "页",
    totals: "合计",
    by_day: "按日",
    by_sku: "按商品",
    by_channel: "按渠道",
    by_method: "按支付方式",
    daily_sales: "每日净销售额",
    section: "部分",
    key: "项目",
    date: "日期",
    sku: "商品编码",
    name: "名称",
    channel: "渠道",
    method: "支付方式",
    orders: "订单数",
    quantity: "数量",
    gross: "销售额",
    refunds: "退款",
    net: "净额",
    paid_orders: "已付款订单",
    cancellations: "已取消订单",
    cancelled_value: "取消金额",
    refunds_cancellations: "取消退款",
    refunds_returns: "退货退款",
    on_hand: "现有库存",
    reserved: "已预留",
    available: "可用",
    price: "单价",
    value: "库存金额",
    low_stock: "低库存",
    low_stock_mark: "低",
    number: "订单号",
    created: "创建时间",
    status: "状态",
    customer: "顾客",
    unit_price: "单价",
    line_amount: "行金额",
    order_total: "订单总额",
    amount: "金额",
    total: "合计",
    none: "此期间没有数据。",
};

pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::En => &EN,
        Lang::ZhCn => &ZH,
    }
}

impl Texts {
    /// The stock report's columns (CSV and XLSX).
    pub fn stock_columns(&self) -> [&'static str; 8] {
        [
            self.sku,
            self.name,
            self.on_hand,
            self.reserved,
            self.available,
            self.price,
            self.value,
            self.low_stock,
        ]
    }

    /// The orders report's columns, one row per order line (CSV and XLSX).
    pub fn order_line_columns(&self) -> [&'static str; 12] {
        [
            self.number,
            self.created,
            self.channel,
            self.status,
            self.customer,
            self.sku,
            self.name,
            self.quantity,
            self.unit_price,
            self.line_amount,
            self.order_total,
            self.till,
        ]
    }

    pub fn title(&self, kind: ReportKind) -> &'static str {
        match kind {
            ReportKind::Sales => self.sales_title,
            ReportKind::Stock => self.stock_title,
            ReportKind::Orders => self.orders_title,
        }
    }
}

pub fn channel(lang: Lang, channel: Channel) -> &'static str {
    match (lang, channel) {
        (Lang::En, Channel::Counter) => "Counter",
        (Lang::En, Channel::Fulfilment) => "Fulfilment",
        (Lang::ZhCn, Channel::Counter) => "门店销售",
        (Lang::ZhCn, Channel::Fulfilment) => "配送订单",
    }
}

pub fn status(lang: Lang, status: OrderStatus) -> &'static str {
    match lang {
        Lang::En => match status {
            OrderStatus::Created => "Created",
            OrderStatus::Paid => "Paid",
            OrderStatus::ReadyToShip => "Ready to ship",
            OrderStatus::OnHold => "On hold",
            OrderStatus::Shipped => "Shipped",
            OrderStatus::Delivered => "Delivered",
            OrderStatus::Cancelled => "Cancelled",
            OrderStatus::Refunded => "Refunded",
        },
        Lang::ZhCn => match status {
            OrderStatus::Created => "已创建",
            OrderStatus::Paid => "已付款",
            OrderStatus::ReadyToShip => "待发货",
            OrderStatus::OnHold => "暂停",
            OrderStatus::Shipped => "已发货",
            OrderStatus::Delivered => "已交付",
            OrderStatus::Cancelled => "已取消",
            OrderStatus::Refunded => "已退款",
        },
    }
}

pub fn method(lang: Lang, method: &str) -> String {
    match (lang, method) {
        (Lang::En, "cash") => "Cash".into(),
        (Lang::En, "card") => "Card".into(),
        (Lang::En, "other") => "Other".into(),
        (Lang::ZhCn, "cash") => "现金".into(),
        (Lang::ZhCn, "card") => "银行卡".into(),
        (Lang::ZhCn, "other") => "其他".into(),
        (_, other) => other.to_string(),
    }
}
