print("ckpt-sandbox")
