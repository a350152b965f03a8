"""专项行动: campaigns that plan the same inspection at many enterprises."""
